import path from 'node:path';
import type { Topology } from '../../shared/topology/model.ts';
import type { KubeletContainer } from './render/kubeadm.ts';
import { ensureEtcdPki, ensureKubernetesCa, type EtcdPki, type KubernetesCa } from '../pki/etcd-pki.ts';

/** What a plan is built from besides the topology: certificates the hub has issued, and site options. */
export interface PlanMaterial {
  etcd: EtcdPki;
  kubernetesCa: KubernetesCa;
}

export interface PlanOptions {
  /**
   * The packages the nodes' darksite carries, each with the versions it has;
   * a task that installs one it does not (or not at the version the task
   * names) is skipped with that reason, and so is everything after it.
   * Undefined: every package is there (the sim).
   */
  availablePackages?: Readonly<Record<string, readonly string[]>>;
  /** Each node's LAN interface, as the node reported it; nodes not listed use lanInterface. */
  lanInterfaces?: Readonly<Record<string, string>>;
  /**
   * Nodes whose kubelet runs in a container (facts.container: the nspawn
   * lab), with the cgroup version each sees. Their kubelet gets a patch
   * (disk eviction off; on cgroup v1, Kubernetes' own v1 opt-in) and kubeadm
   * skips its cgroup v1 check there; a VM or Proxmox node is never relaxed.
   */
  kubeletContainers?: Readonly<Record<string, KubeletContainer>>;
  /** The LAN interface name inside the VMs (virtio on Proxmox: ens18), for keepalived. */
  lanInterface?: string;
  /** The hub has seen this etcd cluster healthy before: an empty member must rejoin it, never bootstrap anew. */
  etcdBootstrapped?: boolean;
  /**
   * Control planes the hub has seen finish kubeadm (init or join) since their
   * current enrollment. Empty: the cluster is new. A rebuilt node is not in it
   * and joins the cluster through a member.
   */
  kubernetesMembers?: readonly string[];
  /**
   * Debian revision of the pinned kubelet/kubeadm/kubectl packages ("-1.1"
   * for the Kubernetes project's own). Unset: the revision of the darksite's
   * kubelet at the topology's version, else "-1.1".
   */
  kubePackageRevision?: string;
}

/** Makes (or loads) the CAs and certificates under <hubStateDir>/pki. */
export async function ensurePlanMaterial(hubStateDir: string, t: Topology): Promise<PlanMaterial> {
  const dir = path.join(hubStateDir, 'pki');
  return { etcd: await ensureEtcdPki(dir, t), kubernetesCa: await ensureKubernetesCa(dir, t) };
}
