import path from 'node:path';
import { userStateRoot } from '../../hub/cli/locate-hub.ts';
import { buildKubernetes } from '../../iso-builder/kubernetes/kubernetes-build.ts';

/** The built Kubernetes release, as the labs install it (taken from the cache the deploy filled). */
export function builtKubernetes() {
  return buildKubernetes({ cacheDir: path.join(userStateRoot(), 'cache') });
}

/** The e2e test image the build made (agnhost), by the reference the nodes' containerd knows it: never pulled. */
export async function builtAgnhostRef(): Promise<string> {
  return Object.values((await builtKubernetes()).manifest.images)
    .map((i) => i.ref)
    .find((ref) => ref.includes('/agnhost:'))!;
}
