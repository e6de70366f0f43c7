/**
 * `kubedos build-kubernetes`, measured: cold (empty Go module and build
 * caches, as on a new machine), warm (Go caches kept, the kubedos cache
 * entry gone: linked and packaged again) and cached; the peak memory of the
 * build's processes; each program's and package's size; whether cold and
 * warm gave the same bytes. With --media also the platform image and ISO
 * with and without the Kubernetes packages (root; several minutes more).
 * Figures are printed, never asserted.
 *
 *   ./node_modules/.bin/node bench/kubernetes-build.ts [--json] [--media]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { KubernetesBuildManifest } from '../iso-builder/kubernetes/kubernetes-build.ts';
import { REPO_ROOT } from '../scripts/sea/targets.ts';

const json = process.argv.includes('--json');
const media = process.argv.includes('--media');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-bench-kube-'));
/** Progress and figures on stderr; with --json, stdout carries only the data. */
const say = (s: string) => process.stderr.write(`${s}\n`);
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

/** One `kubedos build-kubernetes --json` with its own kubedos state, timed by GNU time (peak RSS of the largest process). */
async function build(state: string, goCaches: string) {
  const r = await execa(
    '/usr/bin/time',
    ['-f', 'BENCH %e %M', path.join(REPO_ROOT, 'bin/kubedos'), 'build-kubernetes', '--json'],
    {
      env: {
        XDG_STATE_HOME: state,
        GOCACHE: path.join(goCaches, 'build'),
        GOMODCACHE: path.join(goCaches, 'mod'),
        PATH: `${process.env.PATH}:/usr/local/go/bin`,
      },
      all: false,
    },
  );
  const [, wall, rssKb] = /BENCH ([\d.]+) (\d+)/.exec(r.stderr)!;
  const m = JSON.parse(r.stdout) as KubernetesBuildManifest & { cached: boolean; dir: string };
  return { m, wall: Number(wall), peakMiB: mib(Number(rssKb) * 1024) };
}

const goCaches = path.join(work, 'go');
say(`cold build (Go caches empty, in ${goCaches}) ...`);
const cold = await build(path.join(work, 'state-cold'), goCaches);
say(
  `cold: ${cold.wall} s (download ${cold.m.seconds.download} s, compile ${cold.m.seconds.compile} s, images ${cold.m.seconds.images} s, package ${cold.m.seconds.package} s), peak RSS ${cold.peakMiB} MiB`,
);
const warm = await build(path.join(work, 'state-warm'), goCaches);
say(`warm (Go caches kept): ${warm.wall} s, peak RSS ${warm.peakMiB} MiB`);
const cached = await build(path.join(work, 'state-warm'), goCaches);
say(`cached: ${cached.wall} s (cached: ${cached.m.cached})`);
const same =
  JSON.stringify(cold.m.programs) === JSON.stringify(warm.m.programs) &&
  JSON.stringify(cold.m.images) === JSON.stringify(warm.m.images) &&
  JSON.stringify(cold.m.debs) === JSON.stringify(warm.m.debs);
say(`cold and warm builds byte-identical (every program, image and package): ${same}`);
for (const [name, p] of Object.entries(cold.m.programs)) say(`  program ${name}: ${mib(p.bytes)} MiB`);
for (const i of Object.values(cold.m.images)) say(`  image ${i.ref}: ${mib(i.bytes)} MiB (archive)`);
for (const d of Object.values(cold.m.debs)) say(`  package ${d.file}: ${mib(d.bytes)} MiB`);
const du = async (dir: string) => Number((await execa('du', ['-sb', dir])).stdout.split('\t')[0]);
const goCacheMiB = {
  build: mib(await du(path.join(goCaches, 'build'))),
  mod: mib(await du(path.join(goCaches, 'mod'))),
};
say(`Go caches after the cold build: GOCACHE ${goCacheMiB.build} MiB, GOMODCACHE ${goCacheMiB.mod} MiB`);

let mediaFigures: object | undefined;
if (media) mediaFigures = await measureMedia(path.join(work, 'state-warm', 'kubedos', 'cache'), cold.m);

if (json)
  process.stdout.write(
    JSON.stringify(
      {
        kubernetes: cold.m.kubernetes,
        go: cold.m.go,
        cold: { seconds: cold.wall, phases: cold.m.seconds, peakMiB: cold.peakMiB },
        warm: { seconds: warm.wall, peakMiB: warm.peakMiB },
        cachedSeconds: cached.wall,
        reproducible: same,
        programsMiB: Object.fromEntries(Object.entries(cold.m.programs).map(([k, v]) => [k, mib(v.bytes)])),
        imagesMiB: Object.fromEntries(Object.values(cold.m.images).map((v) => [v.ref, mib(v.bytes)])),
        packagesMiB: Object.fromEntries(Object.entries(cold.m.debs).map(([k, v]) => [k, mib(v.bytes)])),
        goCacheMiB,
        media: mediaFigures,
      },
      null,
      2,
    ) + '\n',
  );
fs.rmSync(work, { recursive: true, force: true });

/** The platform image and ISO of the example topology without and with every package the build makes (kubedos-images and etcd included). */
async function measureMedia(cacheDir: string, m: KubernetesBuildManifest) {
  const { buildPlatformImage, unpackPlatformImage } = await import('../iso-builder/platform-image.ts');
  const { buildPlatformIso } = await import('../iso-builder/platform-iso.ts');
  const { ensureDarksiteKey } = await import('../iso-builder/darksite-key.ts');
  const { packagesForTopology } = await import('../iso-builder/role-packages.ts');
  const { ensureExecutables } = await import('../scripts/sea/build.ts');
  const { loadTopology } = await import('../shared/topology/load.ts');
  const t = loadTopology();
  const exes = await ensureExecutables({ outDir: path.join(REPO_ROOT, 'dist') });
  const key = await ensureDarksiteKey(path.join(work, 'secrets'), t.name);
  const debsDir = path.join(cacheDir, 'kubernetes', m.key, 'debs');
  const figures: Record<string, { imageMiB: number; isoMiB: number; darksitePackages: number }> = {};
  for (const [label, extraDebs] of [
    ['without Kubernetes', []],
    [
      'with Kubernetes',
      Object.entries(m.debs).map(([pkg, d]) => ({ package: pkg, file: path.join(debsDir, d.file), sha256: d.sha256 })),
    ],
  ] as const) {
    const image = await buildPlatformImage({
      cacheDir,
      key,
      rolePackages: packagesForTopology(t),
      extraDebs: [...extraDebs],
      minionBinary: exes['kubedos-minion']!.path,
      hubBinary: exes['kubedos-hub']!.path,
      epoch: 1735689600,
    });
    const rootfs = await unpackPlatformImage(image, path.join(cacheDir, 'images', image.key));
    const iso = await buildPlatformIso({ cacheDir, deployment: t.name, image, rootfs, epoch: 1735689600 });
    figures[label] = {
      imageMiB: mib(image.bytes),
      isoMiB: mib(iso.bytes),
      darksitePackages: image.darksitePackages.length,
    };
    say(
      `${label}: image ${mib(image.bytes)} MiB, ISO ${mib(iso.bytes)} MiB, darksite ${image.darksitePackages.length} packages`,
    );
  }
  return figures;
}
