import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { statement } from '../state/statements.ts';
import ms from 'ms';
import type { LogLine__Output } from '../../proto/gen/kubedos/v1/LogLine.ts';
import type { TaskResult__Output } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import { tailOf } from '../../shared/tasks/output-tail.ts';
import { redactSecrets } from '../../shared/tasks/redact.ts';
import { statusWord } from '../../shared/tasks/status.ts';
import { UserError } from '../../shared/errors.ts';
import { HUB_NODE, type Plan, type PlannedTask } from '../plan/model.ts';
import type { NodeChannel } from './node-channel.ts';
import { SecretStore } from './secrets.ts';
import { decodeSpec, encodeSpec } from './spec-codec.ts';
import { parseWireTaskId, wireTaskId, type RunRow, type TaskRow } from './task-row.ts';

export interface EngineOptions {
  /** Delay before retry n (1-based): exponential from 1 s, capped at 30 s. */
  backoffMs?: (attempt: number) => number;
  /** Slack beyond a task's own timeout before the hub gives up on the node's answer. */
  timeoutGraceMs?: number;
  /** Log lines kept per task. */
  logLinesPerTask?: number;
  /**
   * How long a run may take from when this hub started (or resumed, or
   * reran) it before what is left is cancelled, with the nodes it was
   * waiting for as the reason. Default 60 minutes.
   */
  runDeadlineMs?: number;
}

export interface RunSummary {
  runId: number;
  state: RunRow['state'];
  total: number;
  changed: number;
  unchanged: number;
  failed: number;
  blocked: number;
  skipped: number;
}

interface Graph {
  runId: number;
  deps: Map<string, string[]>;
  dependents: Map<string, string[]>;
  order: string[];
}

const defaultBackoff = (attempt: number): number => Math.min(30_000, 1000 * 2 ** (attempt - 1));

/**
 * The convergence engine: a dependency-graph scheduler. A task is sent the
 * moment everything it depends on is done (parallel across nodes and within
 * one), gates are probe tasks (never sleeps), failures retry with backoff
 * when the node says trying again could help, and a failure blocks only what
 * depends on it. All progress is in sqlite: a new engine on the same
 * database picks up where a killed one stopped.
 */
export class ConvergeEngine {
  readonly secrets: SecretStore;
  private readonly db: DatabaseSync;
  private readonly channel: NodeChannel;
  private readonly backoff: (attempt: number) => number;
  private readonly grace: number;
  private readonly logLines: number;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Array<{ runId: number; resolve: (s: RunSummary) => void }> = [];
  private inbox: Array<{ node: string; result: TaskResult__Output }> = [];
  private logInbox: Array<{ node: string; line: LogLine__Output }> = [];
  private readonly specs = new Map<string, PlannedTask>();
  private graph: Graph | undefined;
  private closed = false;
  private readonly runDeadlineMs: number;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(db: DatabaseSync, channel: NodeChannel, opts: EngineOptions = {}) {
    this.db = db;
    this.channel = channel;
    this.backoff = opts.backoffMs ?? defaultBackoff;
    this.grace = opts.timeoutGraceMs ?? 5_000;
    this.logLines = opts.logLinesPerTask ?? 200;
    this.runDeadlineMs = opts.runDeadlineMs ?? 60 * 60_000;
    this.secrets = new SecretStore(db);
    channel.onResult((node, result) => this.onResult(node, result));
    channel.onConnected((node) => this.onConnected(node));
    channel.onLog?.((node, line) => this.onLog(node, line));
  }

  /** Starts a run of the plan; the engine drives it from here on. */
  start(plan: Plan, opts: { dryRun?: boolean } = {}): number {
    const active = this.activeRun();
    if (active)
      throw new UserError(`convergence run ${active.id} is still running`, 'wait for it, or see `hubctl status`');
    let runId = 0;
    this.transaction(() => {
      this.secrets.store(plan.secrets ?? {}, 'plan');
      runId = Number(
        this.sql("INSERT INTO converge_run (started_at, dry_run, state) VALUES (?, ?, 'running')").run(
          Date.now(),
          opts.dryRun ? 1 : 0,
        ).lastInsertRowid,
      );
      const insert = this.sql(
        "INSERT INTO converge_task (run_id, task_id, seq, node, name, phase, deps, spec, state, retries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
      );
      plan.tasks.forEach((t, seq) =>
        insert.run(runId, t.id, seq, t.node, t.name, t.phase, JSON.stringify(t.deps), encodeSpec(t), t.retries),
      );
    });
    this.armDeadline(runId);
    this.pump();
    return runId;
  }

  /**
   * Ends the running run: tasks not yet sent are marked blocked, tasks a
   * node is running are cancelled there and marked failed, all with the
   * reason. The run ends failed. Returns the run and how many tasks it ended.
   */
  cancel(reason = 'cancelled by the operator'): { runId: number; cancelled: number } | undefined {
    const run = this.activeRun();
    if (!run) return undefined;
    let cancelled = 0;
    const inFlight = this.rows(run.id, 'dispatched');
    this.transaction(() => {
      cancelled += Number(
        this.sql("UPDATE converge_task SET state = 'blocked', error = ? WHERE run_id = ? AND state = 'pending'").run(
          reason,
          run.id,
        ).changes,
      );
      for (const t of inFlight) {
        const key = wireTaskId(run.id, t.task_id);
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
        this.channel.cancelTask?.(t.node, key, reason);
        this.sql(
          "UPDATE converge_task SET state = 'failed', status = 'TASK_STATUS_CANCELLED', finished_at = ?, error = ? WHERE run_id = ? AND task_id = ?",
        ).run(Date.now(), reason, run.id, t.task_id);
        this.appendLog(run.id, t.node, t.task_id, 'error', reason);
        cancelled++;
      }
      this.finishIfIdle(run.id);
    });
    clearTimeout(this.deadlineTimer);
    return { runId: run.id, cancelled };
  }

  /** The nodes the run waits on that are not connected: each with how many of its tasks are left. */
  waitingOn(runId: number): string[] {
    const left = new Map<string, number>();
    for (const t of this.rows(runId))
      if (
        (t.state === 'pending' || t.state === 'dispatched') &&
        t.node !== HUB_NODE &&
        !this.channel.isConnected(t.node)
      )
        left.set(t.node, (left.get(t.node) ?? 0) + 1);
    return [...left].map(([node, n]) => `${node} (not connected, ${n} task${n === 1 ? '' : 's'} left)`);
  }

  private armDeadline(runId: number): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => {
      if (this.closed || this.activeRun()?.id !== runId) return;
      const waiting = this.waitingOn(runId);
      this.cancel(
        `the run's deadline (${ms(this.runDeadlineMs)}) passed${waiting.length ? ` waiting for ${waiting.join(', ')}` : ''}`,
      );
    }, this.runDeadlineMs);
    this.deadlineTimer.unref?.();
  }

  /**
   * After a hub restart: tasks that were in flight are sent again (the node
   * may never have received them, or its answer was lost); finished tasks
   * are left alone.
   */
  resume(): number | undefined {
    const run = this.activeRun();
    if (!run) return undefined;
    for (const t of this.rows(run.id, 'dispatched')) this.send(run, t);
    this.armDeadline(run.id);
    this.pump();
    return run.id;
  }

  /** Resolves when the run has nothing left it can do (every task done, failed or blocked). */
  waitForRun(runId: number): Promise<RunSummary> {
    const run = this.run(runId);
    if (run && run.state !== 'running') return Promise.resolve(this.summary(runId));
    return new Promise((resolve) => this.waiters.push({ runId, resolve }));
  }

  /** Makes a task (node/name) or every task of a node pending again in the run (default: the latest), with what it blocked. */
  rerun(target: string, runId?: number): string[] {
    const run = runId ? this.run(runId) : this.latestRun();
    if (!run) throw new UserError('there is no convergence run to rerun from', 'start one with `hubctl converge`');
    const active = this.activeRun();
    if (active && active.id !== run.id)
      throw new UserError(`run ${active.id} is still running`, 'wait for it, or see `hubctl status`');
    const tasks = this.rows(run.id);
    const picked = tasks.filter((t) => t.task_id === target || t.node === target);
    if (picked.length === 0)
      throw new UserError(`no task or node "${target}" in run ${run.id}`, 'see `hubctl plan` for the task ids');
    const reset = new Set(picked.map((t) => t.task_id));
    // Blocked tasks further down the graph were blocked by the same failure: reset them too.
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of tasks) {
        if (
          !reset.has(t.task_id) &&
          t.state === 'blocked' &&
          (JSON.parse(t.deps) as string[]).some((d) => reset.has(d))
        ) {
          reset.add(t.task_id);
          grew = true;
        }
      }
    }
    // A rerun gets the plan's full retry budget again, counted from the attempts already made.
    const upd = this.sql(
      "UPDATE converge_task SET state = 'pending', retry_at = 0, error = '', retries = attempt + ? WHERE run_id = ? AND task_id = ? AND state != 'dispatched'",
    );
    const byId = new Map(tasks.map((t) => [t.task_id, t]));
    this.transaction(() => {
      for (const id of reset) upd.run(decodeSpec(byId.get(id)!.spec).retries, run.id, id);
      this.sql("UPDATE converge_run SET state = 'running', finished_at = NULL WHERE id = ?").run(run.id);
    });
    this.armDeadline(run.id);
    this.pump();
    return [...reset];
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    clearTimeout(this.deadlineTimer);
  }

  latestRun(): RunRow | undefined {
    return this.sql('SELECT * FROM converge_run ORDER BY id DESC LIMIT 1').get() as RunRow | undefined;
  }

  run(id: number): RunRow | undefined {
    return this.sql('SELECT * FROM converge_run WHERE id = ?').get(id) as RunRow | undefined;
  }

  rows(runId: number, state?: TaskRow['state']): TaskRow[] {
    return (state
      ? this.sql('SELECT * FROM converge_task WHERE run_id = ? AND state = ? ORDER BY seq').all(runId, state)
      : this.sql('SELECT * FROM converge_task WHERE run_id = ? ORDER BY seq').all(runId)) as unknown as TaskRow[];
  }

  summary(runId: number): RunSummary {
    const rows = this.rows(runId);
    const run = this.run(runId)!;
    const done = rows.filter((r) => r.state === 'done');
    const skipped = done.filter((r) => r.status === 'TASK_STATUS_SKIPPED').length;
    return {
      runId,
      state: run.state,
      total: rows.length,
      changed: done.filter((r) => r.changed).length,
      unchanged: done.filter((r) => !r.changed).length - skipped,
      failed: rows.filter((r) => r.state === 'failed').length,
      blocked: rows.filter((r) => r.state === 'blocked').length,
      skipped,
    };
  }

  /** Every statement is compiled once and reused: compiling per call was the fan-out's cost (bench/fanout-grpc). */
  private sql(text: string): StatementSync {
    return statement(this.db, text);
  }

  private activeRun(): RunRow | undefined {
    return this.sql("SELECT * FROM converge_run WHERE state = 'running' ORDER BY id DESC LIMIT 1").get() as
      RunRow | undefined;
  }

  /** The active run's graph, read once per run: dependencies never change within a run. */
  private graphOf(runId: number): Graph {
    if (this.graph?.runId === runId) return this.graph;
    const deps = new Map<string, string[]>();
    const dependents = new Map<string, string[]>();
    const rows = this.sql('SELECT task_id, deps FROM converge_task WHERE run_id = ? ORDER BY seq').all(runId) as Array<{
      task_id: string;
      deps: string;
    }>;
    for (const r of rows) {
      const d = JSON.parse(r.deps) as string[];
      deps.set(r.task_id, d);
      for (const x of d) (dependents.get(x) ?? dependents.set(x, []).get(x)!).push(r.task_id);
    }
    this.graph = { runId, deps, dependents, order: rows.map((r) => r.task_id) };
    return this.graph;
  }

  private stateOf(runId: number, taskId: string): TaskRow | undefined {
    return this.sql('SELECT * FROM converge_task WHERE run_id = ? AND task_id = ?').get(runId, taskId) as
      TaskRow | undefined;
  }

  /** Considers every task of the active run (at start, resume, reconnection, rerun, a retry coming due). */
  pump(): void {
    if (this.closed) return;
    const run = this.activeRun();
    if (!run) return;
    this.advance(run, this.graphOf(run.id).order);
  }

  /**
   * Sends every candidate whose dependencies are done, in one transaction
   * (the rows say "dispatched" before anything leaves, so a crash resends
   * rather than loses); hub tasks run inline and make their own dependents
   * candidates. Finishes the run when nothing is left to do.
   */
  private advance(run: RunRow, candidates: Iterable<string>): void {
    const g = this.graphOf(run.id);
    const now = Date.now();
    const toSend: TaskRow[] = [];
    const queue = [...candidates];
    let nextRetry = Infinity;
    const step = (): void => {
      while (queue.length) {
        const id = queue.shift()!;
        const t = this.stateOf(run.id, id);
        if (!t || t.state !== 'pending') continue;
        if (!g.deps.get(id)!.every((d) => this.stateOf(run.id, d)?.state === 'done')) continue;
        if (t.retry_at > now) {
          nextRetry = Math.min(nextRetry, t.retry_at);
          continue;
        }
        const skip = this.specOf(t).skip;
        if (skip) {
          this.finishInline(run, t, 'TASK_STATUS_SKIPPED', false, Date.now(), skip);
          queue.push(...(g.dependents.get(id) ?? []));
        } else if (t.node === HUB_NODE) {
          this.runHubTask(run, t);
          queue.push(...(g.dependents.get(id) ?? []));
        } else if (this.channel.isConnected(t.node)) {
          this.sql(
            "UPDATE converge_task SET state = 'dispatched', attempt = attempt + 1, dispatched_at = ? WHERE run_id = ? AND task_id = ?",
          ).run(now, run.id, id);
          toSend.push({ ...t, attempt: t.attempt + 1 });
        }
      }
      // Tasks leave before the commit's fsync, so the disk and the node work at once. A crash before
      // the commit leaves them pending: they are sent again on resume, which idempotence makes safe.
      this.afterAdvance(run, toSend, nextRetry);
    };
    // Inside flush() the results and the dispatches they enable share one transaction (one fsync).
    this.transaction(step);
  }

  /** Sends, arms the retry timer, and finishes the run if it is idle. */
  private afterAdvance(run: RunRow, toSend: TaskRow[], nextRetry: number): void {
    for (const t of toSend) this.send(run, t);
    if (nextRetry < Infinity) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.pump(), Math.max(0, nextRetry - Date.now()));
      this.retryTimer.unref?.();
    }
    this.finishIfIdle(run.id);
  }

  private finishIfIdle(runId: number): void {
    const open = this.sql(
      "SELECT EXISTS (SELECT 1 FROM converge_task WHERE run_id = ? AND state IN ('pending', 'dispatched')) AS busy",
    ).get(runId) as { busy: number };
    if (open.busy) return;
    const bad = this.sql(
      "SELECT EXISTS (SELECT 1 FROM converge_task WHERE run_id = ? AND state IN ('failed', 'blocked')) AS bad",
    ).get(runId) as { bad: number };
    this.sql("UPDATE converge_run SET state = ?, finished_at = ? WHERE id = ? AND state = 'running'").run(
      bad.bad ? 'failed' : 'done',
      Date.now(),
      runId,
    );
    const ready = this.waiters.filter((w) => w.runId === runId);
    if (ready.length === 0) return;
    const summary = this.summary(runId);
    this.waiters = this.waiters.filter((w) => w.runId !== runId);
    for (const w of ready) w.resolve(summary);
  }

  private runHubTask(run: RunRow, t: TaskRow): void {
    const spec = decodeSpec(t.spec);
    const started = Date.now();
    let changed = false;
    let summary: string;
    if (!spec.hubAction) summary = 'nothing to do';
    else if (run.dry_run)
      summary = this.secrets.get(spec.hubAction.secret)
        ? `${spec.hubAction.secret} exists`
        : `would generate ${spec.hubAction.secret}`;
    else {
      const made = this.secrets.generate(spec.hubAction, t.task_id);
      changed = made !== undefined;
      summary =
        made === 'made'
          ? `generated ${spec.hubAction.secret}`
          : made === 'rotated'
            ? `rotated ${spec.hubAction.secret} (older than ${ms(spec.hubAction.maxAgeMs ?? 0)})`
            : `${spec.hubAction.secret} exists`;
    }
    this.finishInline(run, t, changed ? 'TASK_STATUS_CHANGED' : 'TASK_STATUS_UNCHANGED', changed, started, summary);
  }

  /** Records a task the hub finished without a node: its own actions, and skipped tasks. */
  private finishInline(run: RunRow, t: TaskRow, status: string, changed: boolean, started: number, summary: string) {
    this.sql(
      "UPDATE converge_task SET state = 'done', attempt = attempt + 1, status = ?, changed = ?, dispatched_at = ?, finished_at = ?, duration_ms = ?, summary = ? WHERE run_id = ? AND task_id = ?",
    ).run(status, changed ? 1 : 0, started, Date.now(), Date.now() - started, summary, run.id, t.task_id);
  }

  /** Specs are immutable within a run; decoding each once keeps a result-to-dispatch turn cheap. */
  private specOf(t: TaskRow): PlannedTask {
    const key = `${t.run_id}:${t.task_id}`;
    let spec = this.specs.get(key);
    if (!spec) {
      if (this.specs.size > 50_000) this.specs.clear();
      spec = decodeSpec(t.spec);
      this.specs.set(key, spec);
    }
    return spec;
  }

  private send(run: RunRow, t: TaskRow): void {
    const spec = this.specOf(t);
    const wire = wireTaskId(run.id, t.task_id);
    // Not sent (the node dropped just now): it stays dispatched and goes again when the node reconnects.
    this.channel.sendTask(t.node, {
      taskId: wire,
      name: t.task_id,
      attempt: t.attempt,
      states: this.secrets.substitute(spec.states),
      timeoutMs: spec.timeoutMs,
      dryRun: run.dry_run === 1,
    });
    this.armTimeout(run.id, t, spec.timeoutMs);
  }

  private armTimeout(runId: number, t: TaskRow, timeoutMs: number): void {
    const key = wireTaskId(runId, t.task_id);
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.channel.cancelTask?.(t.node, key, 'deadline passed');
      this.onResult(t.node, {
        taskId: key,
        attempt: t.attempt,
        status: 'TASK_STATUS_FAILED',
        durationMs: timeoutMs + this.grace,
        states: [],
        outputTail: '',
        error: `no result from ${t.node} within ${timeoutMs + this.grace} ms`,
        retryable: true,
        dryRun: false,
      });
    }, timeoutMs + this.grace);
    timer.unref();
    this.timers.set(key, timer);
  }

  private onConnected(node: string): void {
    if (this.closed) return;
    const run = this.activeRun();
    if (!run) return;
    // What the node was given and has not answered goes again: the minion may have lost it with its session.
    const inFlight = this.sql(
      "SELECT * FROM converge_task WHERE run_id = ? AND state = 'dispatched' AND node = ? ORDER BY seq",
    ).all(run.id, node) as unknown as TaskRow[];
    for (const t of inFlight) this.send(run, t);
    this.pump();
  }

  /** Results are applied in batches, one transaction per batch: one fsync for many answers. */
  private onResult(node: string, result: TaskResult__Output): void {
    if (this.closed) return;
    this.inbox.push({ node, result });
    if (this.inbox.length === 1) setImmediate(() => this.flush());
  }

  /**
   * Runs fn in one transaction: all of it is recorded, or none of it. Inside
   * a transaction someone else opened on the hub's connection (the store's
   * group commit) it becomes a savepoint of that one.
   */
  private transaction(fn: () => void): void {
    const nested = this.db.isTransaction;
    this.db.exec(nested ? 'SAVEPOINT converge' : 'BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec(nested ? 'RELEASE converge' : 'COMMIT');
    } catch (err) {
      this.db.exec(nested ? 'ROLLBACK TO converge' : 'ROLLBACK');
      if (nested) this.db.exec('RELEASE converge');
      throw err;
    }
  }

  private flush(): void {
    const batch = this.inbox.splice(0);
    const run = this.activeRun();
    if (this.closed || !run) return;
    const secrets = this.secrets.values();
    this.transaction(() => {
      const next = batch.flatMap(({ node, result }) => this.applyResult(run, node, result, secrets));
      this.advance(run, next);
    });
  }

  /** Records one answer; returns the tasks that may have become ready. */
  private applyResult(run: RunRow, node: string, result: TaskResult__Output, secrets: string[]): string[] {
    const id = parseWireTaskId(result.taskId);
    if (!id || id.runId !== run.id) return [];
    const t = this.stateOf(id.runId, id.taskId);
    // A late answer (an earlier attempt, or after a timeout already decided) changes nothing.
    if (!t || t.node !== node || t.state !== 'dispatched' || t.attempt !== result.attempt) return [];
    if (result.status === 'TASK_STATUS_RUNNING') return [];
    const key = wireTaskId(id.runId, id.taskId);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const tail = redactSecrets(tailOf(result.outputTail), secrets);
    const error = redactSecrets(result.error, secrets);
    const summary = redactSecrets(
      result.states
        .filter((s) => s.status !== 'TASK_STATUS_UNCHANGED')
        .map((s) => `${s.stateId}: ${s.summary}`)
        .join('; '),
      secrets,
    );
    const failed = result.status === 'TASK_STATUS_FAILED' || result.status === 'TASK_STATUS_CANCELLED';
    const now = Date.now();
    if (!failed) {
      this.sql(
        "UPDATE converge_task SET state = 'done', status = ?, changed = ?, finished_at = ?, duration_ms = ?, summary = ?, output_tail = ?, error = '' WHERE run_id = ? AND task_id = ?",
      ).run(
        result.status,
        result.status === 'TASK_STATUS_CHANGED' ? 1 : 0,
        now,
        result.durationMs,
        summary,
        tail,
        id.runId,
        id.taskId,
      );
      return this.graphOf(run.id).dependents.get(id.taskId) ?? [];
    }
    if (result.retryable && t.attempt <= t.retries) {
      this.sql(
        "UPDATE converge_task SET state = 'pending', status = ?, retry_at = ?, finished_at = ?, duration_ms = ?, summary = ?, output_tail = ?, error = ? WHERE run_id = ? AND task_id = ?",
      ).run(
        result.status,
        now + this.backoff(t.attempt),
        now,
        result.durationMs,
        summary,
        tail,
        error,
        id.runId,
        id.taskId,
      );
      this.appendLog(id.runId, node, id.taskId, 'warn', `attempt ${t.attempt} failed, retrying: ${error}`);
      return [id.taskId];
    }
    this.fail(run.id, t, result.status, error, tail, summary, result.durationMs);
    return [];
  }

  /** Marks a task failed and everything downstream of it blocked; nothing else. Runs inside the caller's transaction. */
  private fail(
    runId: number,
    t: TaskRow,
    status: string,
    error: string,
    tail: string,
    summary: string,
    durationMs: number,
  ): void {
    this.sql(
      "UPDATE converge_task SET state = 'failed', status = ?, finished_at = ?, duration_ms = ?, summary = ?, output_tail = ?, error = ? WHERE run_id = ? AND task_id = ?",
    ).run(status, Date.now(), durationMs, summary, tail, error, runId, t.task_id);
    const g = this.graphOf(runId);
    const upd = this.sql(
      "UPDATE converge_task SET state = 'blocked', error = ? WHERE run_id = ? AND task_id = ? AND state = 'pending'",
    );
    const seen = new Set<string>();
    const queue = [...(g.dependents.get(t.task_id) ?? [])];
    while (queue.length) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      upd.run(`blocked by ${t.task_id} (${statusWord(status)})`, runId, id);
      queue.push(...(g.dependents.get(id) ?? []));
    }
    this.appendLog(runId, t.node, t.task_id, 'error', `failed: ${error}`);
  }

  private onLog(node: string, line: LogLine__Output): void {
    if (this.closed) return;
    this.logInbox.push({ node, line });
    if (this.logInbox.length === 1) setImmediate(() => this.flushLogs());
  }

  /** Log lines are written in batches, in one transaction, redacted with every secret the hub holds. */
  private flushLogs(): void {
    const batch = this.logInbox.splice(0);
    if (this.closed || batch.length === 0) return;
    const secrets = this.secrets.values();
    this.transaction(() => {
      for (const { node, line } of batch) {
        const id = parseWireTaskId(line.taskId);
        if (id) this.appendLog(id.runId, node, id.taskId, line.level || 'info', redactSecrets(line.text, secrets));
      }
    });
  }

  /** Keeps about the last logLinesPerTask lines of a task: trimmed every 50th insert, through the (run, node, task) index. */
  private appendLog(runId: number, node: string, taskId: string, level: string, text: string): void {
    const id = Number(
      this.sql('INSERT INTO converge_log (run_id, task_id, node, at_ms, level, text) VALUES (?, ?, ?, ?, ?, ?)').run(
        runId,
        taskId,
        node,
        Date.now(),
        level,
        text,
      ).lastInsertRowid,
    );
    if (id % 50 !== 0) return;
    this.sql(
      'DELETE FROM converge_log WHERE run_id = ? AND node = ? AND task_id = ? AND id <= (SELECT id FROM converge_log WHERE run_id = ? AND node = ? AND task_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
    ).run(runId, node, taskId, runId, node, taskId, this.logLines);
  }
}
