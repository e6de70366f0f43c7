import type { Topology } from '../../../shared/topology/model.ts';

export const NFS_EXPORT_DIR = '/srv/nfs/kubernetes';

/** /etc/exports on the storage node: one export, to each Kubernetes node that mounts volumes. */
export function renderNfsExports(t: Topology): string {
  const clients = t.nodes
    .filter((n) => n.role === 'cp' || n.role === 'worker')
    .map((n) => `${n.ip}(rw,sync,no_subtree_check,no_root_squash)`);
  return `# Written by the kubedos hub.\n${NFS_EXPORT_DIR} ${clients.join(' ')}\n`;
}
