/** The declarative topology: the one description of a deployment every part reads. */

export const ROLES = ['master', 'prometheus', 'grafana', 'storage', 'etcd', 'cp', 'worker', 'lb'] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose nodes run Kubernetes components and sit on the wg3 backplane mesh. */
export const KUBERNETES_ROLES: readonly Role[] = ['etcd', 'cp', 'worker', 'lb'];

export const PLANE_NAMES = ['wg1', 'wg2', 'wg3'] as const;
export type PlaneName = (typeof PLANE_NAMES)[number];

export interface Lan {
  cidr: string;
  gateway: string;
  dns: string[];
  domain: string;
}

export interface Plane {
  name: PlaneName;
  cidr: string;
  port: number;
  purpose: string;
}

/** Where `kubedos deploy` stamps the VMs: a Proxmox VE cluster, over its API. */
export interface ProxmoxTarget {
  /** The API, `https://host:8006` (only `kubedos deploy` needs it; the local substrates ignore this section). */
  endpoint?: string;
  /** Cluster node names the VMs may be placed on. */
  nodes: string[];
  /** Storage for the VM disks (scsi0, efidisk0, tpmstate0). */
  storage: string;
  /** Storage for the platform ISO and seeds (content type iso); default `local`. */
  isoStorage?: string;
  bridge: string;
  vlan?: number;
  /** SHA-256 fingerprint of the API's TLS certificate (as the Proxmox UI shows it, `AB:CD:…`). */
  fingerprint?: string;
  /** Or the cluster's CA (`/etc/pve/pve-root-ca.pem`), relative to the topology file. */
  caFile?: string;
}

export interface KubernetesSettings {
  version: string;
  podCidr: string;
  serviceCidr: string;
}

export interface TopologyNode {
  vmid: number;
  hostname: string;
  ip: string;
  role: Role;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  /** Host number on every plane; default: the LAN host number (the master always takes 1). */
  planeHost?: number;
  /** SMBIOS system UUID the node will report, when the substrate fixes it (Proxmox smbios1). */
  smbiosUuid?: string;
  /** Load-balancer VRRP priority (higher wins). */
  priority?: number;
  /** The Proxmox node this VM is placed on (otherwise kubedos spreads the HA roles). */
  pveNode?: string;
}

export interface Topology {
  name: string;
  lan: Lan;
  apiVip: string;
  planes: Plane[];
  proxmox: ProxmoxTarget;
  kubernetes: KubernetesSettings;
  hub: { port: number };
  /** Permit an etcd/cp/lb core other than three of each, and fewer than three workers. */
  allowNonHaCore?: boolean;
  /** Scheduled etcd snapshots; every part has a default (ETCD_BACKUP_DEFAULTS). */
  etcdBackups?: EtcdBackups;
  /** How long the certificates the hub signs for nodes are valid ("365d", the default). */
  certificates?: { leafLifetime?: string };
  /** How a convergence run paces the fleet. */
  convergence?: {
    /**
     * Nodes installing packages at once, fleet-wide, like Ansible's forks or
     * Salt's batch; unbounded when absent (nodes with disks of their own).
     */
    parallelInstalls?: number;
  };
  nodes: TopologyNode[];
}

export interface EtcdBackups {
  /** How often the hub orders a snapshot ("6h"); "off": only `hubctl etcd backup`. */
  every?: string;
  /** Snapshots kept on the member that takes them. */
  keep?: number;
  /** Where on that member they are written. */
  dir?: string;
}

export const ETCD_BACKUP_DEFAULTS: Required<EtcdBackups> = {
  every: '6h',
  keep: 14,
  dir: '/var/backups/kubedos/etcd',
};
