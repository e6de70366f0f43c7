import { command, file, packages } from '../../../shared/tasks/builders.ts';
import { IMAGES_DIR, IMAGES_PACKAGE } from '../../../shared/kubernetes/packages.ts';
import type { TopologyNode } from '../../../shared/topology/model.ts';
import { FLANNEL_MANIFEST, renderFlannelManifest } from '../render/flannel.ts';
import type { RoleContext } from './context.ts';

const IMPORTED_MARKER = '/var/lib/kubedos/images-imported';

/** Imports every archive of kubedos-images into containerd's k8s.io namespace, then runs the argv appended to it. */
export const IMPORT_IMAGES = [
  'sh',
  '-ec',
  `for f in ${IMAGES_DIR}/*.tar; do ctr --namespace k8s.io images import "$f"; done; "$@"`,
  'import-images',
] as const;

/**
 * Every image the node runs (kubeadm's control plane, pause, CoreDNS,
 * flannel) imported into containerd's k8s.io namespace from the darksite's
 * package, before kubeadm runs: nothing is pulled from a registry. The
 * marker is written only after every archive imported.
 */
export function containerImages(ctx: RoleContext, node: TopologyNode, deps: string[]): string {
  return ctx.plan.add(
    node.hostname,
    'container-images',
    'runtime',
    [
      packages('packages', [IMAGES_PACKAGE]),
      command('import', [...IMPORT_IMAGES, 'touch', IMPORTED_MARKER], {
        creates: IMPORTED_MARKER,
        timeoutMs: 10 * 60_000,
      }),
    ],
    { deps, timeoutMs: 12 * 60_000 },
  );
}

/** The flannel manifest applied from the anchor control plane once the API answers; a rerun that would change nothing does nothing. */
export function cni(ctx: RoleContext, anchor: TopologyNode, apiReady: string): string {
  const kubectl = ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf'];
  return ctx.plan.add(
    anchor.hostname,
    'cni',
    'control-plane',
    [
      file('manifest', FLANNEL_MANIFEST, renderFlannelManifest(ctx.t)),
      // kubectl diff exits 0 when the cluster already matches the manifest.
      command('apply', [...kubectl, 'apply', '--server-side', '-f', FLANNEL_MANIFEST], {
        unless: [...kubectl, 'diff', '--server-side', '-f', FLANNEL_MANIFEST],
        timeoutMs: 120_000,
      }),
    ],
    { deps: [apiReady] },
  );
}
