/**
 * bench/fanout: one hub engine, N connected minions (in-process: each runs
 * the real executor behind a protobuf round trip), one no-op command task to
 * every minion, results gathered. Prints wall time and per-task p99
 * (dispatch → result recorded).
 *   ./node_modules/.bin/node bench/fanout.ts [N...]        default: 1000 10000
 * The Ansible comparison is bench/fanout-ansible.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvergeEngine } from '../hub/converge/engine.ts';
import { databaseStores } from '../hub/converge/run-records.ts';
import { LocalChannel } from '../test/support/local-channel.ts';
import { openConvergeDb } from '../hub/converge/open-db.ts';
import type { Plan } from '../hub/plan/model.ts';
import { PlanBuilder } from '../hub/plan/plan-builder.ts';
import { command } from '../shared/tasks/builders.ts';

export interface FanoutResult {
  n: number;
  wallMs: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** N minions, one task each; the no-op is `true`, journaled by the sim host (nothing is spawned). */
export async function fanout(n: number): Promise<FanoutResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-fanout-'));
  try {
    const plan = new PlanBuilder();
    const channel = new LocalChannel({ recordCommands: true });
    for (let i = 0; i < n; i++) {
      const node = `m${i}`;
      channel.addNode(node, path.join(dir, node));
      plan.add(node, 'noop', 'preflight', [command('noop', ['true'])], { retries: 0 });
    }
    const p: Plan = { deployment: 'fanout', tasks: plan.tasks };
    const db = openConvergeDb(path.join(dir, 'state.db'));
    const engine = new ConvergeEngine(databaseStores(db), channel);
    const sent = new Map<string, number>();
    const got = new Map<string, number>();
    const send = channel.sendTask.bind(channel);
    channel.sendTask = (node, task) => (sent.set(task.name!, performance.now()), send(node, task));
    channel.onResult((_node, r) => got.set(r.taskId.replace(/^r\d+:/, ''), performance.now()));
    const t0 = performance.now();
    const summary = await engine.waitForRun(engine.start(p));
    const wallMs = performance.now() - t0;
    engine.close();
    db.close();
    const lat = [...got].map(([id, at]) => at - sent.get(id)!).sort((a, b) => a - b);
    return { n, wallMs, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), failed: summary.failed };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const ns = process.argv.slice(2).map(Number);
  console.log(
    `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  await fanout(100); // warm-up, not reported
  for (const n of ns.length ? ns : [1000, 10000]) {
    const r = await fanout(n);
    console.log(
      `fanout N=${r.n}: wall ${r.wallMs.toFixed(0)} ms, per-task p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, failed ${r.failed}`,
    );
  }
}
