/**
 * bench/fanout-grpc: the fan-out over real gRPC sessions. A real hub (in
 * this process: its registry, session channel and convergence engine, TLS
 * on loopback) with N enrolled nodes; the N minion sessions live in
 * `--procs` other processes (default 4), each session signed with its
 * node's identity key, sending Hello and running every task it is sent
 * through the real executor (commands journaled, nothing spawned). One
 * no-op command task to every node; prints the wall time from the run's
 * start to its end, the per-task p50/p99 (sent → result recorded) and the
 * hub's CPU time in the run (steadier than wall time on a busy machine).
 *   ./node_modules/.bin/node bench/fanout-grpc.ts [N...] [--procs P]     default: 1000 10000
 * The in-process figure (no gRPC) is bench/fanout.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Hub } from '../hub/hub.ts';
import { AdminConnection } from '../hub/cli/admin-client.ts';
import { SESSION_METHOD } from '../hub/sessions/agent-service.ts';
import { PlanBuilder } from '../hub/plan/plan-builder.ts';
import { executeTask } from '../minion/tasks/execute-task.ts';
import type { AgentClient } from '../proto/gen/kubedos/v1/Agent.ts';
import type { EnrollmentClient } from '../proto/gen/kubedos/v1/Enrollment.ts';
import type { HubMessage__Output } from '../proto/gen/kubedos/v1/HubMessage.ts';
import type { MinionMessage } from '../proto/gen/kubedos/v1/MinionMessage.ts';
import { signCall } from '../shared/auth/call-signature.ts';
import type { Logger } from '../shared/log.ts';
import { CertificateAuthority } from '../shared/pki/certificate-authority.ts';
import { HUB_TLS_CA, hubTlsCaFiles } from '../shared/pki/hub-tls.ts';
import { CONTRACT_VERSION } from '../shared/proto/contract-version.ts';
import { contract } from '../shared/proto/contract.ts';
import { hubChannel } from '../shared/proto/hub-channel.ts';
import { command } from '../shared/tasks/builders.ts';
import { syntheticTopology } from '../shared/topology/synthetic.ts';
import { benchEnrollment } from './enrollment-requests.ts';

/** Sessions share a connection per this many nodes (a real node has its own; the hub's work per session is the same). */
const SESSIONS_PER_CONNECTION = 250;

const quiet: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => quiet,
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A child process: the sessions of its share of the nodes. */
async function minions(file: string): Promise<void> {
  const job = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    port: number;
    certPem: string;
    root: string;
    nodes: Array<{ node: string; seed: string }>;
  };
  const { credentials, options } = hubChannel(job.certPem);
  const clients: AgentClient[] = [];
  let welcomed = 0;
  for (const [i, n] of job.nodes.entries()) {
    if (i % SESSIONS_PER_CONNECTION === 0)
      clients.push(new (contract().Agent)(`127.0.0.1:${job.port}`, credentials, { ...options, 'kubedos.bench': i }));
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(signCall(Buffer.from(n.seed, 'base64'), SESSION_METHOD, n.node)))
      metadata.set(k, v);
    const call = clients.at(-1)!.Session(metadata);
    const root = path.join(job.root, n.node);
    call.on('data', (msg: HubMessage__Output) => {
      if (msg.welcome) {
        call.write({
          hello: {
            facts: { hostname: n.node },
            minionVersion: 'bench',
            unfinishedTaskIds: [],
            contractVersion: CONTRACT_VERSION,
          },
        } as MinionMessage);
        if (++welcomed === job.nodes.length) process.send!('ready');
      } else if (msg.task) {
        void executeTask(msg.task, {
          root,
          recordCommands: true,
          log: () => {},
          signal: new AbortController().signal,
        }).then((taskResult) => call.write({ taskResult }));
      }
    });
    call.on('error', () => {});
  }
  process.on('disconnect', () => process.exit(0));
}

async function fanoutGrpc(n: number, procs: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-bench-fanout-grpc-'));
  const children: ChildProcess[] = [];
  let hub: Hub | undefined;
  try {
    const topology = syntheticTopology(n, `fanout-${n}`);
    const workers = topology.nodes.filter((x) => x.role === 'worker').map((x) => x.hostname);
    const { inventory, requests } = benchEnrollment(topology, workers);
    const tls = await CertificateAuthority.ensure(dir, HUB_TLS_CA, topology.name);
    hub = new Hub({
      stateDir: path.join(dir, 'hub'),
      topology,
      inventory,
      listen: '127.0.0.1:0',
      tlsCaCertPem: tls.certPem,
      tlsCaKeyPem: fs.readFileSync(hubTlsCaFiles(dir).key, 'utf8'),
      heartbeatIntervalMs: 60_000,
      // Its sessions share connections (SESSIONS_PER_CONNECTION each), all from loopback.
      connectionLimits: { perPeer: 4096, total: 4096, streamsPerConnection: SESSIONS_PER_CONNECTION + 16 },
      log: quiet,
    });
    await hub.start();
    const admin = new AdminConnection(path.join(dir, 'hub'));
    await admin.call((a) => a.OpenWindow, { ttlSeconds: 3600, role: 'worker', nodes: [] });
    admin.close();
    const { credentials, options } = hubChannel(tls.certPem);
    const enroll = new (contract().Enrollment)(`127.0.0.1:${hub.port}`, credentials, options) as EnrollmentClient;
    await Promise.all(
      requests.map(
        ({ request }) =>
          new Promise<void>((resolve, reject) =>
            enroll.Enroll(request, { deadline: Date.now() + 300_000 }, (err) => (err ? reject(err) : resolve())),
          ),
      ),
    );
    enroll.close();

    const share = Math.ceil(workers.length / procs);
    await Promise.all(
      Array.from({ length: procs }, (_, p) => {
        const file = path.join(dir, `minions-${p}.json`);
        const nodes = requests
          .slice(p * share, (p + 1) * share)
          .map((r) => ({ node: r.node, seed: r.identitySeed.toString('base64') }));
        fs.writeFileSync(file, JSON.stringify({ port: hub!.port, certPem: tls.certPem, root: dir, nodes }));
        const child = fork(import.meta.filename, ['--minions', file], { stdio: 'inherit' });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`minion process exited ${code}`)));
        });
      }),
    );
    const deadline = Date.now() + 120_000;
    while (hub.registry.all().filter((s) => s.facts).length < workers.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const plan = new PlanBuilder();
    for (const node of workers) plan.add(node, 'noop', 'preflight', [command('noop', ['true'])], { retries: 0 });
    const engine = hub.converge.engine;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await engine.waitForRun(engine.start({ deployment: topology.name, tasks: plan.tasks }));
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const lat = engine
      .rows(summary.runId)
      .map((r) => r.finished_at! - r.dispatched_at!)
      .sort((a, b) => a - b);
    console.log(
      `fanout over gRPC N=${n} (${procs} minion processes): wall ${wallMs.toFixed(0)} ms, ` +
        `per-task p50 ${percentile(lat, 50)} ms, p99 ${percentile(lat, 99)} ms, ` +
        `hub CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, failed ${summary.failed}`,
    );
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await hub?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args[0] === '--minions') await minions(args[1]!);
  else {
    const p = args.indexOf('--procs');
    const procs = p >= 0 ? Number(args.splice(p, 2)[1]) : 4;
    console.log(
      `load average: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${os.cpus().length} CPUs`,
    );
    for (const n of args.length ? args.map(Number) : [1000, 10_000]) await fanoutGrpc(n, procs);
  }
}
