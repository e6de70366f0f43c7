import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import { IMAGES_PACKAGE, KUBE_PACKAGES } from '../../shared/kubernetes/packages.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { debField, type ExtraDeb } from '../extra-debs.ts';
import { ETCD_PACKAGES } from './etcd-debs.ts';
import { buildKubernetes } from './kubernetes-build.ts';
import { loadKubePins } from './pins.ts';

/**
 * The packages `kubedos build-kubernetes` can supply to a platform image:
 * kubelet, kubeadm, kubectl, kubedos-images (every image a node runs), and
 * etcd-server/etcd-client with the pinned etcd (Debian 13's is older than
 * kubeadm 1.35 accepts as external etcd).
 */
export const SUPPLIED_PACKAGES: readonly string[] = [...KUBE_PACKAGES, IMAGES_PACKAGE, ...ETCD_PACKAGES];

/**
 * Where a platform image's kubelet, kubeadm, kubectl and etcd come from:
 * the operator's --extra-debs first (upstream's packages, say), the rest
 * from `kubedos build-kubernetes` (built now if its cache has no entry for
 * the pins). Whatever the mix, the three Kubernetes packages must be one
 * release, the topology's: anything else is refused here, before the image
 * is built.
 */
export async function kubernetesDebs(opts: {
  topology: Topology;
  /** The packages the topology's roles want (kubelet, kubeadm, kubectl, etcd-server among them, or not). */
  wanted: readonly string[];
  /** What the operator's --extra-debs folder supplied. */
  fromOperator: readonly ExtraDeb[];
  cacheDir: string;
  onStep?: (step: string) => void;
}): Promise<ExtraDeb[]> {
  const wanted = SUPPLIED_PACKAGES.filter((p) => opts.wanted.includes(p));
  if (wanted.length === 0) return [];
  const isKubePackage = (p: string) => (KUBE_PACKAGES as readonly string[]).includes(p);
  const isKube = (d: ExtraDeb) => isKubePackage(d.package);
  const topologyVersion = opts.topology.kubernetes.version.replace(/^v/, '');
  const given = new Map(opts.fromOperator.filter((d) => wanted.includes(d.package)).map((d) => [d.package, d]));
  // The operator's packages are checked first: a wrong one is refused before a long build.
  await refuseMixedVersions([...given.values()].filter(isKube), [], topologyVersion);
  const built: ExtraDeb[] = [];
  const missing = wanted.filter((p) => !given.has(p));
  if (missing.length) {
    const pins = loadKubePins();
    const pinned = pins.kubernetes.version.slice(1);
    if (pinned !== topologyVersion && missing.some(isKubePackage))
      throw new UserError(
        `the topology asks for Kubernetes ${topologyVersion}, but kubedos builds ${pinned} (iso-builder/kubernetes/pins.json)`,
        `set kubernetes.version: ${pinned} in the topology, or give ${topologyVersion}'s kubelet, kubeadm and kubectl with --extra-debs`,
      );
    const build = await buildKubernetes({ cacheDir: opts.cacheDir, ...(opts.onStep ? { onStep: opts.onStep } : {}) });
    for (const p of missing) {
      const d = build.manifest.debs[p];
      if (!d)
        throw new UserError(
          `the Kubernetes build ${build.dir} has no ${p} package`,
          `remove ${build.dir} and build again`,
        );
      built.push({ package: p, file: path.join(build.debsDir, d.file), sha256: d.sha256 });
    }
  }
  await refuseMixedVersions([], built.filter(isKube), topologyVersion);
  return built;
}

async function refuseMixedVersions(given: ExtraDeb[], built: ExtraDeb[], topologyVersion: string): Promise<void> {
  const all = [
    ...given.map((d) => ({ d, from: '--extra-debs' })),
    ...built.map((d) => ({ d, from: 'kubedos build-kubernetes' })),
  ];
  const versions = await Promise.all(
    all.map(async ({ d, from }) => ({
      package: d.package,
      from,
      version: await debField(d.file, 'Version'),
    })),
  );
  const off = versions.filter((v) => v.version.replace(/^\d+:/, '').split('-')[0] !== topologyVersion);
  if (off.length)
    throw new UserError(
      `Kubernetes packages of another release than the topology's ${topologyVersion}: ` +
        off.map((v) => `${v.package} ${v.version} (${v.from})`).join(', '),
      `kubelet, kubeadm and kubectl must all be ${topologyVersion}: fix the --extra-debs folder or the topology's kubernetes.version`,
    );
}
