import { command, file, packages } from '../../../shared/tasks/builders.ts';
import { IMAGES_DIR, IMAGES_PACKAGE } from '../../../shared/kubernetes/packages.ts';
import type { TopologyNode } from '../../../shared/topology/model.ts';
import { CNI_CONFIG, CNI_PACKAGE, renderCniConfig } from '../render/pod-network.ts';
import type { RoleContext } from './context.ts';

const IMPORTED_MARKER = '/var/lib/kubedos/images-imported';

/**
 * Imports every archive of kubedos-images into containerd's k8s.io
 * namespace and pins every image there (containerd's CRI label, which the
 * kubelet's image garbage collection honours: a darksite image deleted could
 * not be pulled again), then runs the argv appended to it.
 */
export const IMPORT_IMAGES = [
  'sh',
  '-ec',
  `for f in ${IMAGES_DIR}/*.tar; do ctr --namespace k8s.io images import "$f"; done
ctr --namespace k8s.io images list --quiet | while read -r ref; do
  ctr --namespace k8s.io images label "$ref" io.cri-containerd.pinned=pinned >/dev/null
done
"$@"`,
  'import-images',
] as const;

/**
 * Every image the node runs (kubeadm's control plane, pause, CoreDNS,
 * kube-proxy) imported into containerd's k8s.io namespace from the darksite's
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

/**
 * The node's pod network (render/pod-network.ts): Debian's CNI plugins and
 * the node's own conflist, before its kubelet starts, so the node is Ready
 * as soon as it joins. Nothing to apply in the cluster.
 */
export function podNetwork(ctx: RoleContext, node: TopologyNode, deps: string[]): string {
  return ctx.plan.add(
    node.hostname,
    'pod-network',
    'runtime',
    [packages('plugins', [CNI_PACKAGE]), file('config', CNI_CONFIG, renderCniConfig(ctx.t, node))],
    { deps },
  );
}
