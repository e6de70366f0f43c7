import path from 'node:path';
import { userStateRoot } from '../../hub/cli/locate-hub.ts';
import { ensureDarksiteKey } from '../../iso-builder/darksite-key.ts';
import { findExtraDebs } from '../../iso-builder/extra-debs.ts';
import { kubernetesDebs, SUPPLIED_PACKAGES } from '../../iso-builder/kubernetes/kube-supply.ts';
import { buildPlatformImage, unpackPlatformImage, type PlatformImage } from '../../iso-builder/platform-image.ts';
import { packagesForTopology } from '../../iso-builder/role-packages.ts';
import { ensureExecutables } from '../../scripts/sea/build.ts';
import { REPO_ROOT } from '../../scripts/sea/targets.ts';
import type { Topology } from '../../shared/topology/model.ts';
import type { RunDir } from './run-dir.ts';

/** The epoch every local substrate builds its artifacts at: equal inputs, equal bytes. */
export const BUILD_EPOCH = 1735689600;

/**
 * What the nspawn and qemu substrates both start from: the executables
 * (built when stale), the deployment's darksite key, and the platform image
 * built (or taken from the cache) and unpacked.
 */
export async function platformForRun(
  t: Topology,
  run: Pick<RunDir, 'secrets'>,
  opts: { extraDebsDir?: string; cacheDir?: string; quiet?: boolean },
  step: (s: string) => void,
): Promise<{ image: PlatformImage; rootfs: string; cacheDir: string }> {
  const key = await ensureDarksiteKey(run.secrets, t.name);
  step('executables (dist/kubedos-minion, dist/kubedos-hub)');
  const exes = await ensureExecutables({
    outDir: path.join(REPO_ROOT, 'dist'),
    onBuild: (names) => step(`building ${names.join(', ')} (stale or missing)`),
  });
  const wanted = packagesForTopology(t);
  const cacheDir = opts.cacheDir ?? path.join(userStateRoot(), 'cache');
  // etcd-server/etcd-client are Debian's, but kubeadm wants a newer etcd: the build's (or the operator's) replace them.
  const etcd = wanted.debian.filter((p) => SUPPLIED_PACKAGES.includes(p));
  const operator = await findExtraDebs(opts.extraDebsDir, [...wanted.extra, ...etcd]);
  // kubelet, kubeadm, kubectl, etcd the operator did not give: built from the pins (or taken from that build's cache).
  const built = await kubernetesDebs({
    topology: t,
    wanted: [...wanted.extra, ...etcd],
    fromOperator: operator.found,
    cacheDir,
    onStep: (s) => step(`Kubernetes: ${s}`),
  });
  const extras = {
    found: [...operator.found, ...built],
    missing: operator.missing.filter((p) => !etcd.includes(p) && !built.some((d) => d.package === p)),
  };
  if (extras.missing.length && !opts.quiet) {
    process.stderr.write(
      `kubedos: not in the darksite: ${extras.missing.join(', ')} (not in Debian; give their .debs with --extra-debs): the phases that need them are skipped\n`,
    );
  }
  step('platform image');
  const image = await buildPlatformImage({
    cacheDir,
    key,
    rolePackages: wanted,
    extraDebs: extras.found,
    minionBinary: exes['kubedos-minion']!.path,
    hubBinary: exes['kubedos-hub']!.path,
    epoch: BUILD_EPOCH,
    onStep: (s) => step(`image: ${s}`),
  });
  step(`image ${image.key} (${(image.bytes / 2 ** 20).toFixed(0)} MiB, ${image.cached ? 'cached' : 'built'})`);
  const rootfs = await unpackPlatformImage(image, path.join(cacheDir, 'images', image.key));
  return { image, rootfs, cacheDir };
}
