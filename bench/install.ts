/**
 * The install path, measured (root): the platform ISO and the seeds for the
 * 16-node example, cold (ISO not cached; the image from its cache) and warm
 * (ISO cached: only the seeds); bytes per deployment against the 6.6 GB of
 * 16 role ISOs; then the qemu lab (examples/lab-3.yaml): per-stage times of
 * a fresh install and of a second `up` that boots the installed disks, with
 * the accelerator used. Figures are printed, never asserted.
 *
 *   ./node_modules/.bin/node bench/install.ts [--json] [--no-lab]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDeploymentMedia } from '../deploy/media/build-media.ts';
import { qemuDown, qemuUp } from '../deploy/substrates/qemu/substrate.ts';
import { REPO_ROOT } from '../scripts/sea/targets.ts';
import { loadTopology } from '../shared/topology/load.ts';

const json = process.argv.includes('--json');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-bench-install-'));
const say = (s: string) => json || process.stderr.write(`${s}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const MiB = (b: number) => Math.round(b / 2 ** 20);
const OLD_BYTES = 16 * 407 * 2 ** 20;

async function mediaFigures() {
  const topologyFile = path.join(REPO_ROOT, 'examples/platform-16.yaml');
  const t = loadTopology(topologyFile);
  const build = () =>
    buildDeploymentMedia({
      topology: t,
      topologyFile,
      secretsDir: path.join(work, 'secrets'),
      outDir: path.join(work, 'media'),
      quiet: true,
    });
  const cold = await build(); // this deployment's key is new: its image and ISO are built
  const warm = await build();
  const bytes = warm.iso.bytes + warm.seeds.reduce((a, s) => a + s.bytes, 0);
  const figures = {
    coldSeconds: cold.seconds,
    warmSeconds: warm.seconds,
    isoMiB: MiB(warm.iso.bytes),
    seedKiBMax: Math.round(Math.max(...warm.seeds.map((s) => s.bytes)) / 1024),
    deploymentMiB: MiB(bytes),
    before16RoleIsosMiB: MiB(OLD_BYTES),
  };
  say(`media (16 nodes): cold ${figures.coldSeconds} s, warm ${figures.warmSeconds} s`);
  say(
    `  ISO ${figures.isoMiB} MiB + 16 seeds of at most ${figures.seedKiBMax} KiB = ${figures.deploymentMiB} MiB (16 role ISOs were ${figures.before16RoleIsosMiB} MiB)`,
  );
  return figures;
}

async function labFigures() {
  const topologyFile = path.join(REPO_ROOT, 'examples/lab-3.yaml');
  const runRoot = path.join(work, 'lab');
  const common = {
    topology: loadTopology(topologyFile),
    topologyFile,
    runRoot,
    timeoutMs: 30 * 60_000,
    windowTtlMs: 30 * 60_000,
    signal: new AbortController().signal,
    quiet: true,
  };
  const runs: Record<string, unknown> = {};
  for (const [name, fresh] of [
    ['install', true],
    ['reboot', false],
  ] as const) {
    const d = await qemuUp({ ...common, fresh });
    const stages = Object.fromEntries(
      Object.entries(d.stages).map(([n, s]) => [
        n,
        Object.fromEntries(Object.entries(s).map(([k, v]) => [k, seconds(v!)])),
      ]),
    );
    runs[name] = {
      accel: d.accel,
      stages,
      connectedSeconds: seconds(d.timings.connectedMs!),
      convergedSeconds: d.timings.convergedMs && seconds(d.timings.convergedMs),
      changed: d.status!.convergence?.counts?.changed,
    };
    say(
      `lab-3 ${name} (${d.accel}): connected ${seconds(d.timings.connectedMs!)} s, converged ${d.timings.convergedMs && seconds(d.timings.convergedMs)} s, ${d.status!.convergence?.counts?.changed} changed`,
    );
    for (const [n, s] of Object.entries(stages))
      say(
        `  ${n.padEnd(8)} ${Object.entries(s)
          .map(([k, v]) => `${k} ${v}s`)
          .join(', ')}`,
      );
    await qemuDown(runRoot);
  }
  return runs;
}

try {
  const media = await mediaFigures();
  const lab = process.argv.includes('--no-lab') ? undefined : await labFigures();
  if (json) process.stdout.write(JSON.stringify({ media, lab }, null, 2) + '\n');
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
