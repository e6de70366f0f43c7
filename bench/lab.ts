/**
 * The nspawn lab, measured (root): the platform image cold (empty cache),
 * warm (snapshot cached, image rebuilt) and cached; `up` to every node
 * connected, to converged, to every kubelet node Ready (through the API
 * VIP) and to a test pod Running; the minion's, the hub's, the kubelets',
 * containerd's and the apiservers' resident memory; how long the API VIP
 * takes to move when haproxy stops on the VRRP master, and the longest gap
 * a client of the API sees meanwhile; the time to replace a control plane
 * (hubctl replace to its new Node Ready). Figures are printed, never asserted.
 *
 *   ./node_modules/.bin/node bench/lab.ts [--json] [--topology F]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  nspawnNewCredential,
  nspawnRebuildMaster,
  nspawnRebuildNode,
  nspawnUp,
} from '../deploy/substrates/nspawn/substrate.ts';
import { ensureDarksiteKey } from '../iso-builder/darksite-key.ts';
import { buildPlatformImage } from '../iso-builder/platform-image.ts';
import { packagesForTopology } from '../iso-builder/role-packages.ts';
import { ensureExecutables } from '../scripts/sea/build.ts';
import { REPO_ROOT } from '../scripts/sea/targets.ts';
import { runsPods } from '../shared/kubernetes/pod-subnets.ts';
import { loadTopology } from '../shared/topology/load.ts';

const json = process.argv.includes('--json');
const topoArg = process.argv.indexOf('--topology');
const topologyFile = topoArg > 0 ? process.argv[topoArg + 1]! : path.join(REPO_ROOT, 'examples/platform-16.yaml');
const t = loadTopology(topologyFile);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-bench-lab-'));
const say = (s: string) => json || process.stderr.write(`${s}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0);

/** Polls a URL every 100 ms for argv[2] ms; prints the longest time without a 200, in ms. */
const API_WATCH = `
const [url, ms] = process.argv.slice(1);
const end = Date.now() + Number(ms);
let last = Date.now(), gap = 0;
(async () => {
  while (Date.now() < end) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) { gap = Math.max(gap, Date.now() - last); last = Date.now(); }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(String(Math.max(gap, Date.now() - last)));
})();
`;

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
const upStarted = Date.now();
const runRoot = path.join(work, 'run');
const lab = await nspawnUp({
  topology: t,
  topologyFile,
  runRoot,
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
  const anchor = t.nodes.find((n) => n.role === 'cp')!.hostname;
  const kubectl = async (args: string[], input?: string) =>
    (
      await execa(
        'nsenter',
        [
          '--target',
          String(lab.lab.initPid(anchor)),
          '--all',
          '--',
          'kubectl',
          '--kubeconfig',
          '/etc/kubernetes/admin.conf',
          ...args,
        ],
        { reject: false, ...(input === undefined ? {} : { input }) },
      )
    ).stdout;
  const kubeNodes = t.nodes.filter(runsPods);
  const allReady = async () => {
    const items = (
      JSON.parse((await kubectl(['get', 'nodes', '-o', 'json'])) || '{"items":[]}') as {
        items: { status: { conditions: { type: string; status: string }[] } }[];
      }
    ).items;
    return (
      items.length === kubeNodes.length &&
      items.every((n) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
    );
  };
  while (!(await allReady()) && Date.now() - upStarted < 15 * 60_000) await new Promise((r) => setTimeout(r, 500));
  const nodesReadySeconds = seconds(Date.now() - upStarted);
  const agnhost = 'registry.k8s.io/e2e-test-images/agnhost:2.59';
  const worker = kubeNodes.find((n) => n.role === 'worker')!.hostname;
  await kubectl([
    'run',
    'bench',
    `--image=${agnhost}`,
    '--image-pull-policy=Never',
    `--overrides={"spec":{"nodeName":"${worker}"}}`,
    '--',
    'pause',
  ]);
  await kubectl(['wait', '--for=condition=Ready', 'pod/bench', '--timeout=300s']);
  const workloadRunningSeconds = seconds(Date.now() - upStarted);
  const kubeRss = async (node: string, pattern: string): Promise<number> => {
    const pid = (await lab.lab.exec(node, ['pgrep', '-o', '-f', pattern], { reject: false })).stdout.trim();
    if (!pid) return 0;
    const status = (await lab.lab.exec(node, ['cat', `/proc/${pid}/status`])).stdout;
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
  };
  const kubelets = await Promise.all(kubeNodes.map((n) => rss(n.hostname, 'kubelet')));
  const containerds = await Promise.all(kubeNodes.map((n) => rss(n.hostname, 'containerd')));
  const apiservers = await Promise.all(
    kubeNodes.filter((n) => n.role === 'cp').map((n) => kubeRss(n.hostname, '^kube-apiserver')),
  );
  /** A client of the API through the VIP, from the anchor's network: /readyz every 100 ms, the longest gap without an answer. */
  const watchApi = (ms: number) =>
    execa(
      'nsenter',
      [
        '--target',
        String(lab.lab.initPid(anchor)),
        '--net',
        '--',
        process.execPath,
        '-e',
        API_WATCH,
        `https://${t.apiVip}:6443/readyz`,
        String(ms),
      ],
      {
        env: { NODE_EXTRA_CA_CERTS: path.join(lab.lab.rootOf(anchor), 'etc/kubernetes/pki/ca.crt') },
      },
    );
  const holds = async (lb: string) =>
    (await lab.lab.exec(lb, ['ip', '-4', '-o', 'addr', 'show'])).stdout.includes(` ${t.apiVip}/`);
  const lbs = t.nodes.filter((n) => n.role === 'lb').map((n) => n.hostname);
  const master = (await Promise.all(lbs.map(holds))).findIndex(Boolean);
  let failoverSeconds: number | undefined;
  let apiGapSeconds: number | undefined;
  if (master >= 0) {
    const from = lbs[master]!;
    const watching = watchApi(20_000);
    await new Promise((r) => setTimeout(r, 2_000));
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
    apiGapSeconds = seconds(Number((await watching).stdout.trim()));
    await lab.lab.exec(from, ['systemctl', 'start', 'haproxy']);
  }
  // Replacing a control plane as an operator does: hubctl replace (drained, Node deleted, keys revoked), a
  // window for it, the node rebuilt blank; until its new Node is Ready in the API.
  const replaced = kubeNodes.filter((n) => n.role === 'cp').at(-1)!.hostname;
  const hubctl = async (args: string[]) =>
    (
      await execa(path.join(REPO_ROOT, 'bin/hubctl'), args, {
        env: { ...process.env, KUBEDOS_HUB_DIR: lab.hubDir },
      })
    ).stdout;
  const replaceStarted = Date.now();
  await hubctl(['replace', replaced, '--credential-key', await nspawnNewCredential(runRoot, replaced)]);
  await hubctl(['enroll', 'open', '--node', replaced, '--ttl', '15m']);
  await nspawnRebuildNode(runRoot, replaced);
  const stateOf = async () =>
    (
      JSON.parse(await hubctl(['status', '--json', '--no-kubernetes'])) as {
        nodes: { name: string; state: string }[];
      }
    ).nodes.find((n) => n.name === replaced)?.state;
  while ((await stateOf()) !== 'connected' && Date.now() - replaceStarted < 10 * 60_000)
    await new Promise((r) => setTimeout(r, 500));
  await hubctl(['converge', '--json']);
  const newReady = async () => {
    const out = await kubectl(['get', 'node', replaced, '-o', 'json']);
    if (!out) return false;
    const n = JSON.parse(out) as {
      metadata: { creationTimestamp: string };
      status: { conditions: { type: string; status: string }[] };
    };
    return (
      Date.parse(n.metadata.creationTimestamp) > replaceStarted - 1000 &&
      n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')
    );
  };
  while (!(await newReady()) && Date.now() - replaceStarted < 15 * 60_000) await new Promise((r) => setTimeout(r, 500));
  const controlPlaneReplaceSeconds = seconds(Date.now() - replaceStarted);
  // The master lost with its disk: a hub backup (the one the storage node keeps), the master rebuilt from it,
  // until every node is connected to it again.
  const backupFile = path.join(work, 'hub.kdbackup');
  const backupStarted = Date.now();
  const backup = JSON.parse(await hubctl(['hub', 'backup', '--out', backupFile, '--json'])) as { bytes: number };
  const hubBackupMs = Date.now() - backupStarted;
  const masterLost = Date.now();
  await nspawnRebuildMaster(runRoot, { backup: backupFile });
  const connectedCount = async () =>
    (
      JSON.parse(await hubctl(['status', '--json', '--no-kubernetes'])) as {
        nodes: { name: string; state: string; role: string }[];
      }
    ).nodes.filter((n) => n.role !== 'master' && n.state === 'connected').length;
  while ((await connectedCount()) < t.nodes.length - 1 && Date.now() - masterLost < 10 * 60_000)
    await new Promise((r) => setTimeout(r, 250));
  const masterRedeploySeconds = seconds(Date.now() - masterLost);
  const figures = {
    image,
    upToConnectedSeconds: seconds(lab.timings.connectedMs!),
    upToConvergedSeconds: lab.timings.convergedMs !== undefined ? seconds(lab.timings.convergedMs) : undefined,
    convergence: lab.status!.convergence?.counts,
    minionRssMiB: {
      median: median(minions),
      max: Math.round(minions.at(-1)!),
    },
    hubRssMiB: Math.round(hub),
    upToNodesReadySeconds: nodesReadySeconds,
    upToWorkloadRunningSeconds: workloadRunningSeconds,
    kubeletRssMiB: median(kubelets),
    containerdRssMiB: median(containerds),
    apiserverRssMiB: apiservers.map(Math.round),
    vrrpFailoverSeconds: failoverSeconds,
    apiGapThroughVipSeconds: apiGapSeconds,
    controlPlaneReplaceSeconds,
    hubBackupBytes: backup.bytes,
    hubBackupMs,
    masterRedeployToNodesConnectedSeconds: masterRedeploySeconds,
  };
  if (json) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  else {
    say(
      `up → ${t.nodes.length} connected: ${figures.upToConnectedSeconds} s; → converged: ${figures.upToConvergedSeconds} s`,
    );
    say(`convergence: ${JSON.stringify(figures.convergence)}`);
    say(`minion RSS under systemd: median ${figures.minionRssMiB.median} MiB, max ${figures.minionRssMiB.max} MiB`);
    say(`hub RSS under systemd: ${figures.hubRssMiB} MiB`);
    say(
      `up → ${kubeNodes.length} kubelet nodes Ready: ${nodesReadySeconds} s; → test pod Running: ${workloadRunningSeconds} s`,
    );
    say(
      `RSS median: kubelet ${figures.kubeletRssMiB} MiB, containerd ${figures.containerdRssMiB} MiB; apiservers ${figures.apiserverRssMiB.join(', ')} MiB`,
    );
    say(`VRRP failover after haproxy stops on the VIP holder: ${failoverSeconds ?? 'did not happen'} s`);
    say(`longest gap of a client of the API through the VIP meanwhile: ${apiGapSeconds ?? '-'} s`);
    say(`${replaced} replaced (hubctl replace → rebuilt → its new Node Ready): ${controlPlaneReplaceSeconds} s`);
    say(
      `hub backup of the ${t.nodes.length}-node hub: ${backup.bytes} bytes sealed, taken and copied off in ${hubBackupMs} ms`,
    );
    say(
      `master lost and redeployed from it → the other ${t.nodes.length - 1} nodes connected with their identities: ${masterRedeploySeconds} s`,
    );
  }
} finally {
  await lab.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
