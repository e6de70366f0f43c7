/**
 * bench/planes: on the 16-node topology in network namespaces (root),
 * 1. `kubedos up --substrate netns` (netnsUp: real hub, real minions, real
 *    enrollment): time until every node is connected and every plane pings,
 *    and memory per node (minion + wireguard-go RSS);
 * 2. the planes alone (PlaneFleet: the same plane modules, no gRPC in front):
 *    time from nothing to every plane pinging, and wireguard-go RSS per node.
 * Prints numbers; asserts nothing.
 *
 *   ./node_modules/.bin/node bench/planes.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { PlaneFleet } from '../test/support/plane-fleet.ts';
import { netnsDown, netnsUp, waitForPlanes } from '../deploy/substrates/netns/substrate.ts';
import { runInNamespace } from '../shared/planes/command-runner.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../shared/topology/load.ts';

async function namespaceMemory(ns: string): Promise<Record<string, number>> {
  const pids = (await execa('ip', ['netns', 'pids', ns])).stdout.split(/\s+/).filter(Boolean);
  const kib: Record<string, number> = {};
  for (const pid of pids) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const comm = /^Name:\s+(\S+)/m.exec(status)![1]!;
      const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const kind = comm.startsWith('wireguard')
        ? 'wireguard-go'
        : comm === 'node' || comm.startsWith('MainThread')
          ? 'minion/hub (node)'
          : comm;
      kib[kind] = (kib[kind] ?? 0) + rss;
    } catch {
      // exited meanwhile
    }
  }
  return kib;
}

function printMemory(rows: Array<[string, Record<string, number>]>): void {
  const kinds = [...new Set(rows.flatMap(([, m]) => Object.keys(m)))].sort();
  console.log(`  ${'node'.padEnd(12)}${kinds.map((k) => k.padStart(20)).join('')}${'total MiB'.padStart(12)}`);
  for (const [node, m] of rows) {
    const total = Object.values(m).reduce((a, b) => a + b, 0);
    console.log(
      `  ${node.padEnd(12)}${kinds.map((k) => ((m[k] ?? 0) / 1024).toFixed(1).padStart(20)).join('')}${(total / 1024).toFixed(1).padStart(12)}`,
    );
  }
  const members = rows.filter(([n]) => n !== 'master');
  for (const k of kinds) {
    const avg = members.reduce((a, [, m]) => a + (m[k] ?? 0), 0) / members.length / 1024;
    console.log(`  mean per non-master node, ${k}: ${avg.toFixed(1)} MiB`);
  }
}

const t = loadTopology();
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-bench-'));
console.log(
  `bench/planes: ${t.name}, ${t.nodes.length} nodes, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
);

// 1. The substrate, end to end.
const runRoot = path.join(base, 'substrate');
try {
  const d = await netnsUp({
    topology: t,
    topologyFile: DEFAULT_TOPOLOGY,
    runRoot,
    timeoutMs: 300_000,
    windowTtlMs: 600_000,
    signal: new AbortController().signal,
    quiet: true,
    tag: 'kdwb',
  });
  console.log(
    `substrate: kubedos up --substrate netns → all ${d.status!.summary!.connected} nodes connected: ${(d.connectedMs! / 1000).toFixed(1)} s`,
  );
  console.log(
    d.planesReadyMs === undefined
      ? 'substrate: planes not wired into hub/minion yet (no --planes option): no plane figure'
      : `substrate: kubedos up --substrate netns → every plane pinging: ${(d.planesReadyMs / 1000).toFixed(1)} s`,
  );
  printMemory(
    await Promise.all(
      t.nodes.map(
        async (n) => [n.hostname, await namespaceMemory(d.namespaceOf(n.hostname))] as [string, Record<string, number>],
      ),
    ),
  );
  await d.stop();
} catch (err) {
  console.log(`substrate: failed: ${(err as Error).message}`);
} finally {
  await netnsDown(runRoot);
}

// 2. The planes alone.
const fleetDir = path.join(base, 'fleet');
let fleet: PlaneFleet | undefined;
try {
  const started = Date.now();
  fleet = await PlaneFleet.create({ topology: t, dir: fleetDir, tag: 'kdwq' });
  await fleet.enrollAll({ firewall: true });
  const configured = Date.now() - started;
  await waitForPlanes(t, (n) => runInNamespace(fleet!.nsOf(n)), {
    timeoutMs: 120_000,
    signal: new AbortController().signal,
  });
  const ready = Date.now() - started;
  console.log(
    `planes alone: 16 namespaces + hub + 15 nodes × 3 planes + firewalls configured: ${(configured / 1000).toFixed(1)} s`,
  );
  console.log(
    `planes alone: → every plane pinging (wg1/wg2 to hub from 15 nodes, wg3 between 12×11 pairs): ${(ready / 1000).toFixed(1)} s`,
  );
  const f = fleet;
  printMemory(
    await Promise.all(
      t.nodes.map(
        async (n) => [n.hostname, await namespaceMemory(f.nsOf(n.hostname))] as [string, Record<string, number>],
      ),
    ),
  );
} finally {
  await fleet?.teardown();
  fs.rmSync(base, { recursive: true, force: true });
}
