import { IMAGES_PACKAGE, KUBE_PACKAGES } from '../shared/kubernetes/packages.ts';
import type { Role, Topology } from '../shared/topology/model.ts';

/**
 * What each role installs at install time. Debian packages come from the
 * darksite snapshot (apt resolves their closure); "extra" packages are not in
 * Debian's archive and must be in the operator's --extra-debs folder.
 */
export interface PackageSet {
  debian: string[];
  extra: string[];
}

/** On every node: the minion's needs (WireGuard, nftables), remote admin, the Proxmox guest agent. */
const COMMON: PackageSet = {
  debian: ['openssh-server', 'sudo', 'qemu-guest-agent', 'wireguard-tools', 'nftables', 'ca-certificates', 'chrony'],
  extra: [],
};

const KUBE_NODE: PackageSet = {
  debian: [
    'containerd',
    'containernetworking-plugins',
    'conntrack',
    'ebtables',
    'ethtool',
    'socat',
    'iptables',
    'nfs-common',
    'prometheus-node-exporter',
  ],
  extra: [...KUBE_PACKAGES, IMAGES_PACKAGE],
};

export const ROLE_PACKAGES: Record<Role, PackageSet> = {
  master: { debian: [], extra: [] },
  prometheus: { debian: ['prometheus', 'prometheus-node-exporter'], extra: [] },
  grafana: { debian: ['prometheus-node-exporter'], extra: ['grafana'] },
  storage: { debian: ['nfs-kernel-server', 'prometheus-node-exporter'], extra: [] },
  etcd: { debian: ['etcd-server', 'etcd-client', 'prometheus-node-exporter'], extra: [] },
  cp: KUBE_NODE,
  worker: KUBE_NODE,
  lb: { debian: ['haproxy', 'keepalived', 'prometheus-node-exporter'], extra: [] },
};

/** What the installer itself puts on every node (kernel, boot chain), so the darksite must carry them too. */
export const INSTALL_BASE: PackageSet = {
  debian: ['linux-image-amd64', 'grub-efi-amd64-signed', 'shim-signed', 'grub-efi-amd64', 'initramfs-tools'],
  extra: [],
};

function union(sets: readonly PackageSet[]): PackageSet {
  const debian = new Set<string>();
  const extra = new Set<string>();
  for (const s of sets) {
    s.debian.forEach((p) => debian.add(p));
    s.extra.forEach((p) => extra.add(p));
  }
  return { debian: [...debian].sort(), extra: [...extra].sort() };
}

export function packagesForRole(role: Role): PackageSet {
  return union([COMMON, ROLE_PACKAGES[role]]);
}

/** The one snapshot every ISO of the topology shares: the union over the roles present. */
export function packagesForTopology(topology: Topology): PackageSet {
  const roles = [...new Set(topology.nodes.map((n) => n.role))];
  return union([INSTALL_BASE, ...roles.map(packagesForRole)]);
}
