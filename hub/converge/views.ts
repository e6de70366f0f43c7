import type { DatabaseSync } from 'node:sqlite';
import { statusWord } from '../../shared/tasks/status.ts';
import { inert } from '../../shared/text/inert.ts';
import { ETCD_BACKUP_TASK } from '../plan/etcd-recovery.ts';
import { PHASES, type Plan } from '../plan/model.ts';
import { topologicalOrder } from '../plan/plan-builder.ts';
import type { RunRow, TaskRow } from './task-row.ts';

/** What hubctl plan shows: per node, its tasks in the order they can run, each with what it waits for. */
export interface PlanView {
  nodes: Array<{ node: string; tasks: Array<{ id: string; phase: string; deps: string[]; states: string[] }> }>;
}

export function planView(plan: Plan): PlanView {
  const ordered = topologicalOrder(plan.tasks);
  const nodes = new Map<string, PlanView['nodes'][number]['tasks']>();
  for (const t of ordered) {
    if (!nodes.has(t.node)) nodes.set(t.node, []);
    nodes
      .get(t.node)!
      .push({ id: t.id, phase: t.phase, deps: t.deps, states: t.states.map((s) => `${s.kind}:${s.id}`) });
  }
  return { nodes: [...nodes].map(([node, tasks]) => ({ node, tasks })) };
}

export function formatPlanView(view: PlanView): string {
  const out: string[] = [];
  for (const n of view.nodes) {
    out.push(`${n.node}`);
    for (const t of n.tasks)
      out.push(`  ${t.id.padEnd(32)} [${t.phase}]${t.deps.length ? `  after ${t.deps.join(', ')}` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

export interface NodeProgress {
  node: string;
  total: number;
  done: number;
  running: string[];
  failed: string[];
  blocked: number;
  /** Why its next tasks wait although it is connected (it speaks too old a contract). */
  held?: string;
}

export interface Failure {
  node: string;
  task: string;
  attempt: number;
  error: string;
  outputTail: string;
}

export interface ConvergeStatus {
  runId: number;
  dryRun: boolean;
  state: RunRow['state'];
  startedAtMs: number;
  finishedAtMs: number;
  /** The earliest phase that still has unfinished work ("converged" when none). */
  phase: string;
  counts: {
    total: number;
    done: number;
    changed: number;
    running: number;
    pending: number;
    failed: number;
    blocked: number;
    skipped: number;
  };
  nodes: NodeProgress[];
  failures: Failure[];
  skips: Array<{ node: string; task: string; reason: string }>;
  /** Every blocked task with what blocked it (a failed task it needs, or the run's end). */
  blocked: Array<{ node: string; task: string; reason: string }>;
}

/**
 * The run status and logs are about: the latest, except a finished backup
 * run (one task, on the hub's schedule), which would hide the convergence
 * before it; with a task named, the latest run that has it.
 */
function shownRun(db: DatabaseSync, node?: string, task?: string): RunRow | undefined {
  if (task)
    return db
      .prepare(
        `SELECT r.* FROM converge_run r WHERE EXISTS (SELECT 1 FROM converge_task t WHERE t.run_id = r.id
           AND t.node = ? AND (t.task_id = ? OR t.name = ?)) ORDER BY r.id DESC LIMIT 1`,
      )
      .get(node ?? '', task, task) as RunRow | undefined;
  return db
    .prepare(
      `SELECT r.* FROM converge_run r WHERE r.state = 'running' OR NOT EXISTS
         (SELECT 1 FROM converge_task t WHERE t.run_id = r.id AND t.name = ?) ORDER BY r.id DESC LIMIT 1`,
    )
    .get(ETCD_BACKUP_TASK) as RunRow | undefined;
}

export function convergeStatus(db: DatabaseSync, runId?: number): ConvergeStatus | undefined {
  const run = runId
    ? (db.prepare('SELECT * FROM converge_run WHERE id = ?').get(runId) as RunRow | undefined)
    : shownRun(db);
  if (!run) return undefined;
  const rows = db
    .prepare('SELECT * FROM converge_task WHERE run_id = ? ORDER BY seq')
    .all(run.id) as unknown as TaskRow[];
  const unfinished = rows.filter((r) => r.state === 'pending' || r.state === 'dispatched' || r.state === 'failed');
  const phase =
    PHASES.find((p) => unfinished.some((r) => r.phase === p)) ??
    (rows.some((r) => r.state === 'blocked') ? 'blocked' : 'converged');
  const nodes = new Map<string, NodeProgress>();
  for (const r of rows) {
    const n = nodes.get(r.node) ?? { node: r.node, total: 0, done: 0, running: [], failed: [], blocked: 0 };
    n.total++;
    if (r.state === 'done') n.done++;
    if (r.state === 'dispatched') n.running.push(r.name);
    if (r.state === 'failed') n.failed.push(r.name);
    if (r.state === 'blocked') n.blocked++;
    nodes.set(r.node, n);
  }
  const count = (s: TaskRow['state']) => rows.filter((r) => r.state === s).length;
  const skippedRows = rows.filter((r) => r.state === 'done' && r.status === 'TASK_STATUS_SKIPPED');
  return {
    runId: run.id,
    dryRun: run.dry_run === 1,
    state: run.state,
    startedAtMs: run.started_at,
    finishedAtMs: run.finished_at ?? 0,
    phase,
    counts: {
      total: rows.length,
      done: count('done'),
      changed: rows.filter((r) => r.state === 'done' && r.changed).length,
      running: count('dispatched'),
      pending: count('pending'),
      failed: count('failed'),
      blocked: count('blocked'),
      skipped: skippedRows.length,
    },
    nodes: [...nodes.values()],
    skips: skippedRows.map((r) => ({ node: r.node, task: r.task_id, reason: r.summary })),
    failures: rows
      .filter((r) => r.state === 'failed')
      .map((r) => ({ node: r.node, task: r.task_id, attempt: r.attempt, error: r.error, outputTail: r.output_tail })),
    blocked: rows.filter((r) => r.state === 'blocked').map((r) => ({ node: r.node, task: r.task_id, reason: r.error })),
  };
}

export function formatConvergeStatus(s: ConvergeStatus): string {
  const c = s.counts;
  const lines = [
    `convergence run ${s.runId}${s.dryRun ? ' (dry run)' : ''}: ${s.state}, phase ${s.phase}`,
    `  ${c.done}/${c.total} done (${c.changed} changed, ${c.skipped} skipped), ${c.running} running, ${c.pending} pending, ${c.failed} failed, ${c.blocked} blocked`,
    ...s.nodes.map(
      (n) =>
        `  ${n.node.padEnd(12)} ${String(n.done).padStart(3)}/${n.total}${n.running.length ? `  running ${n.running.join(', ')}` : ''}${n.failed.length ? `  FAILED ${n.failed.join(', ')}` : ''}${n.blocked ? `  ${n.blocked} blocked` : ''}${n.held ? `  HELD: ${n.held}` : ''}`,
    ),
  ];
  // Skipped tasks, grouped by the first reason in the chain (the missing package), so an operator sees why at once.
  const byReason = new Map<string, string[]>();
  for (const k of s.skips) {
    if (!/ was skipped$/.test(k.reason)) byReason.set(k.reason, [...(byReason.get(k.reason) ?? []), k.task]);
  }
  for (const [reason, tasks] of byReason) lines.push('', `SKIPPED ${tasks.join(', ')}: ${reason}`);
  const after = s.skips.length - [...byReason.values()].flat().length;
  if (after) lines.push(`SKIPPED too: ${after} task(s) that need those`);
  for (const f of s.failures) {
    lines.push('', `FAILED ${f.task} on ${f.node} (attempt ${f.attempt}): ${inert(f.error)}`);
    if (f.outputTail)
      lines.push(
        ...inert(f.outputTail)
          .trimEnd()
          .split('\n')
          .map((l) => `  | ${l}`),
      );
  }
  return `${lines.join('\n')}\n`;
}

export interface TaskLog {
  task: string;
  state: string;
  status: string;
  attempt: number;
  summary: string;
  error: string;
  outputTail: string;
  lines: Array<{ atMs: number; level: string; text: string }>;
}

/** hubctl logs NODE [TASK]: the shown run's results and log lines for a node (or one of its tasks). */
export function taskLogs(db: DatabaseSync, node: string, task?: string): TaskLog[] {
  const run = shownRun(db, node, task);
  if (!run) return [];
  const rows = (
    db
      .prepare('SELECT * FROM converge_task WHERE run_id = ? AND node = ? ORDER BY seq')
      .all(run.id, node) as unknown as TaskRow[]
  ).filter((r) => !task || r.task_id === task || r.name === task);
  const lines = db.prepare(
    'SELECT at_ms, level, text FROM converge_log WHERE run_id = ? AND node = ? AND task_id = ? ORDER BY id',
  );
  return rows.map((r) => ({
    task: r.task_id,
    state: r.state,
    status: r.status ? statusWord(r.status) : '',
    attempt: r.attempt,
    summary: r.summary,
    error: r.error,
    outputTail: r.output_tail,
    lines: (lines.all(run.id, node, r.task_id) as Array<{ at_ms: number; level: string; text: string }>).map((l) => ({
      atMs: l.at_ms,
      level: l.level,
      text: l.text,
    })),
  }));
}
