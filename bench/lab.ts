/**
 * The nspawn lab, measured (root): the platform image cold (empty cache),
 * warm (snapshot cached, image rebuilt) and cached; `up` to every node
 * connected and to converged; the minion's and the hub's resident memory
 * under systemd in each container; how long the API VIP takes to move when
 * haproxy stops on the VRRP master. Figures are printed, never asserted.
 *
 *   ./node_modules/.bin/node bench/lab.ts [--json] [--topology F]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nspawnUp } from '../deploy/nspawn/substrate.ts';
import { ensureDarksiteKey } from '../iso-builder/darksite-key.ts';
import { buildPlatformImage } from '../iso-builder/platform-image.ts';
import { packagesForTopology } from '../iso-builder/role-packages.ts';
import { ensureExecutables } from '../scripts/sea/build.ts';
import { REPO_ROOT } from '../scripts/sea/targets.ts';
import { loadTopology } from '../shared/topology/load.ts';

const json = process.argv.includes('--json');
const topoArg = process.argv.indexOf('--topology');
const topologyFile = topoArg > 0 ? process.argv[topoArg + 1]! : path.join(REPO_ROOT, 'examples/platform-16.yaml');
const t = loadTopology(topologyFile);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-bench-lab-'));
const say = (s: string) => json || process.stderr.write(`${s}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function imageFigures() {
  const exes = await ensureExecutables({ outDir: path.join(REPO_ROOT, 'dist') });
  const key = await ensureDarksiteKey(path.join(work, 'secrets'), t.name);
  const build = (cacheDir: string) =>
    buildPlatformImage({
      cacheDir,
      key,
      rolePackages: packagesForTopology(t),
      extraDebs: [],
      minionBinary: exes['kubedos-minion']!.path,
      hubBinary: exes['kubedos-hub']!.path,
      epoch: 1735689600,
    });
  const cache = path.join(work, 'cache');
  const cold = await build(cache);
  say(`image cold: ${cold.seconds.toFixed(1)} s (${(cold.bytes / 2 ** 20).toFixed(0)} MiB, sha256 ${cold.sha256})`);
  fs.rmSync(path.join(cache, 'images'), { recursive: true, force: true });
  const warm = await build(cache);
  say(`image warm (snapshot cached): ${warm.seconds.toFixed(1)} s, same sha256: ${warm.sha256 === cold.sha256}`);
  const cached = await build(cache);
  say(`image cached: ${cached.seconds.toFixed(1)} s`);
  return {
    coldSeconds: cold.seconds,
    warmSeconds: warm.seconds,
    cachedSeconds: cached.seconds,
    bytes: cold.bytes,
    reproducible: warm.sha256 === cold.sha256,
    darksitePackages: cold.darksitePackages.length,
  };
}

const image = await imageFigures();
const controller = new AbortController();
const lab = await nspawnUp({
  topology: t,
  topologyFile,
  runRoot: path.join(work, 'run'),
  timeoutMs: 600_000,
  windowTtlMs: 900_000,
  signal: controller.signal,
  quiet: true,
  cacheDir: path.join(work, 'cache'),
  tag: 'kdb',
});
try {
  const rss = async (node: string, unit: string): Promise<number> => {
    const pid = (await lab.lab.exec(node, ['systemctl', 'show', '-P', 'MainPID', unit])).stdout.trim();
    const status = (await lab.lab.exec(node, ['cat', `/proc/${pid}/status`])).stdout;
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
  };
  const minions: number[] = [];
  for (const n of t.nodes) minions.push(await rss(n.hostname, 'kubedos-minion'));
  const hub = await rss(t.nodes.find((n) => n.role === 'master')!.hostname, 'kubedos-hub');
  minions.sort((a, b) => a - b);
  const holds = async (lb: string) =>
    (await lab.lab.exec(lb, ['ip', '-4', '-o', 'addr', 'show'])).stdout.includes(` ${t.apiVip}/`);
  const lbs = t.nodes.filter((n) => n.role === 'lb').map((n) => n.hostname);
  const master = (await Promise.all(lbs.map(holds))).findIndex(Boolean);
  let failoverSeconds: number | undefined;
  if (master >= 0) {
    const from = lbs[master]!;
    const started = Date.now();
    await lab.lab.exec(from, ['systemctl', 'stop', 'haproxy']);
    for (let i = 0; i < 600; i++) {
      const others = await Promise.all(lbs.filter((l) => l !== from).map(holds));
      if (others.some(Boolean) && !(await holds(from))) {
        failoverSeconds = seconds(Date.now() - started);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await lab.lab.exec(from, ['systemctl', 'start', 'haproxy']);
  }
  const figures = {
    image,
    upToConnectedSeconds: seconds(lab.timings.connectedMs),
    upToConvergedSeconds: lab.timings.convergedMs !== undefined ? seconds(lab.timings.convergedMs) : undefined,
    convergence: lab.status.convergence?.counts,
    minionRssMiB: {
      median: Math.round(minions[Math.floor(minions.length / 2)]!),
      max: Math.round(minions.at(-1)!),
    },
    hubRssMiB: Math.round(hub),
    vrrpFailoverSeconds: failoverSeconds,
  };
  if (json) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  else {
    say(
      `up → ${t.nodes.length} connected: ${figures.upToConnectedSeconds} s; → converged: ${figures.upToConvergedSeconds} s`,
    );
    say(`convergence: ${JSON.stringify(figures.convergence)}`);
    say(`minion RSS under systemd: median ${figures.minionRssMiB.median} MiB, max ${figures.minionRssMiB.max} MiB`);
    say(`hub RSS under systemd: ${figures.hubRssMiB} MiB`);
    say(`VRRP failover after haproxy stops on the VIP holder: ${failoverSeconds ?? 'did not happen'} s`);
  }
} finally {
  await lab.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
