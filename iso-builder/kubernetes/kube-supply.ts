import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { debField, type ExtraDeb } from '../extra-debs.ts';
import { buildKubernetes } from './kubernetes-build.ts';
import { loadKubePins } from './pins.ts';

export const KUBE_PACKAGES = ['kubelet', 'kubeadm', 'kubectl'] as const;

/**
 * Where a platform image's kubelet, kubeadm and kubectl come from: the
 * operator's --extra-debs first (upstream's packages, say), the rest from
 * `kubedos build-kubernetes` (built now if its cache has no entry for the
 * pins). Whatever the mix, all three must be one release, the topology's:
 * anything else is refused here, before the image is built.
 */
export async function kubernetesDebs(opts: {
  topology: Topology;
  /** The extra packages the topology's roles want (kubelet, kubeadm, kubectl among them, or not). */
  wanted: readonly string[];
  /** What the operator's --extra-debs folder supplied. */
  fromOperator: readonly ExtraDeb[];
  cacheDir: string;
  onStep?: (step: string) => void;
}): Promise<ExtraDeb[]> {
  const wanted = KUBE_PACKAGES.filter((p) => opts.wanted.includes(p));
  if (wanted.length === 0) return [];
  const topologyVersion = opts.topology.kubernetes.version.replace(/^v/, '');
  const given = new Map(
    opts.fromOperator.filter((d) => wanted.includes(d.package as never)).map((d) => [d.package, d]),
  );
  // The operator's packages are checked first: a wrong one is refused before a long build.
  await refuseMixedVersions([...given.values()], [], topologyVersion);
  const built: ExtraDeb[] = [];
  if (given.size < wanted.length) {
    const pins = loadKubePins();
    const pinned = pins.kubernetes.version.slice(1);
    if (pinned !== topologyVersion)
      throw new UserError(
        `the topology asks for Kubernetes ${topologyVersion}, but kubedos builds ${pinned} (iso-builder/kubernetes/pins.json)`,
        `set kubernetes.version: ${pinned} in the topology, or give ${topologyVersion}'s kubelet, kubeadm and kubectl with --extra-debs`,
      );
    const build = await buildKubernetes({ cacheDir: opts.cacheDir, ...(opts.onStep ? { onStep: opts.onStep } : {}) });
    for (const p of wanted) {
      if (given.has(p)) continue;
      const d = build.manifest.debs[p];
      if (!d)
        throw new UserError(
          `the Kubernetes build ${build.dir} has no ${p} package`,
          `remove ${build.dir} and build again`,
        );
      built.push({ package: p, file: path.join(build.debsDir, d.file), sha256: d.sha256 });
    }
  }
  await refuseMixedVersions([], built, topologyVersion);
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
