/**
 * bench/enroll: N concurrent enrollments against one hub (a real hub
 * process, TLS on loopback; the N clients are in this process).
 * Prints enrollments per second, p50/p99 latency and the hub's peak RSS.
 *   node bench/enroll.ts [N ...]      (default: 1000 10000)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startHubEntry } from '../deploy/toolkit/spawn-entry.ts';
import { hubArgs } from '../deploy/toolkit/node-files.ts';
import { AdminConnection } from '../hub/cli/admin-client.ts';
import type { EnrollmentClient } from '../proto/gen/kubedos/v1/Enrollment.ts';
import type { StatusResponse__Output } from '../proto/gen/kubedos/v1/StatusResponse.ts';
import { CertificateAuthority } from '../shared/pki/certificate-authority.ts';
import { HUB_TLS_CA, hubTlsCaFiles } from '../shared/pki/hub-tls.ts';
import { contract } from '../shared/proto/contract.ts';
import { hubChannel } from '../shared/proto/hub-channel.ts';
import { syntheticTopology } from '../shared/topology/synthetic.ts';
import { benchEnrollment } from './enrollment-requests.ts';

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function rssMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function benchOnce(n: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-bench-enroll-'));
  let hub: ChildProcess | undefined;
  try {
    const topology = syntheticTopology(n, `bench-${n}`);
    const workers = topology.nodes.filter((x) => x.role === 'worker').map((x) => x.hostname);
    const { inventory, requests } = benchEnrollment(topology, workers);
    const tls = await CertificateAuthority.ensure(dir, HUB_TLS_CA, topology.name);
    fs.writeFileSync(path.join(dir, 'topology.json'), JSON.stringify(topology));
    fs.writeFileSync(path.join(dir, 'inventory.json'), JSON.stringify(inventory));

    const logFile = path.join(dir, 'hub.log');
    const hubStart = await startHubEntry(
      hubArgs({
        stateDir: path.join(dir, 'hub'),
        topologyFile: path.join(dir, 'topology.json'),
        secrets: {
          inventoryPath: path.join(dir, 'inventory.json'),
          hubCaCertPath: hubTlsCaFiles(dir).cert,
          hubCaKeyPath: hubTlsCaFiles(dir).key,
        },
        listen: '127.0.0.1:0',
        // The burst goes over 8 connections from loopback, thousands of calls at once.
        streamsPerConnection: 100_000,
      }),
      { stateDir: path.join(dir, 'hub'), logFile, detached: false, timeoutMs: 120_000 },
    );
    hub = hubStart.child;
    const port = hubStart.ready.port;
    const idleRss = rssMiB(hub.pid!, 'VmRSS');
    const admin = new AdminConnection(path.join(dir, 'hub'));
    await admin.call((a) => a.OpenWindow, { ttlSeconds: 3600, role: 'worker', nodes: [] });

    const { credentials: creds, options } = hubChannel(tls.certPem);
    const channels: EnrollmentClient[] = Array.from(
      { length: 8 },
      (_, i) => new (contract().Enrollment)(`127.0.0.1:${port}`, creds, { ...options, 'kubedos.bench.channel': i }),
    );
    const latencies: number[] = [];
    let failures = 0;
    let firstError = '';
    const hubCpuBefore = cpuSeconds(hub.pid!);
    const ownCpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      requests.map(
        ({ request }, i) =>
          new Promise<void>((resolve) => {
            const t0 = performance.now();
            channels[i % channels.length]!.Enroll(request, { deadline: Date.now() + 120_000 }, (err) => {
              if (err) {
                failures++;
                firstError ||= err.details ?? err.message;
              } else latencies.push(performance.now() - t0);
              resolve();
            });
          }),
      ),
    );
    const wallMs = performance.now() - started;
    const hubCpu = cpuSeconds(hub.pid!) - hubCpuBefore;
    const own = process.cpuUsage(ownCpuBefore);
    const clientCpu = (own.user + own.system) / 1e6;
    const status = await admin.call<object, StatusResponse__Output>((a) => a.Status, {}, 60_000);
    const rss = rssMiB(hub.pid!, 'VmHWM');
    admin.close();
    for (const c of channels) c.close();
    latencies.sort((a, b) => a - b);
    console.log(
      [
        `enroll N=${n}:`,
        `${(latencies.length / (wallMs / 1000)).toFixed(0)} enrollments/s,`,
        `wall ${(wallMs / 1000).toFixed(2)} s,`,
        `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms,`,
        `hub peak RSS ${rss.toFixed(0)} MiB (${idleRss.toFixed(0)} MiB before the burst),`,
        `CPU during the burst: hub ${hubCpu.toFixed(1)} s, clients ${clientCpu.toFixed(1)} s,`,
        `enrolled per hub ${status.summary!.enrolled}/${n}, failures ${failures}${firstError ? ` (${firstError})` : ''}`,
      ].join(' '),
    );
  } finally {
    hub?.kill('SIGTERM');
    if (hub && hub.exitCode === null) await new Promise((r) => hub!.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length > 0 ? sizes : [1000, 10_000]) await benchOnce(n);
