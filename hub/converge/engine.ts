import ms from 'ms';
import type { LogLine__Output } from '../../proto/gen/kubedos/v1/LogLine.ts';
import type { TaskResult__Output } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import { tailOf } from '../../shared/tasks/output-tail.ts';
import { redactSecrets } from '../../shared/tasks/redact.ts';
import { statusWord } from '../../shared/tasks/status.ts';
import { UserError } from '../../shared/errors.ts';
import { PHASES, type Phase, type Plan, type PlannedTask } from '../plan/model.ts';
import { contractNeeded, type ContractNeed } from '../../shared/proto/state-contracts.ts';
import type { NodeChannel } from './node-channel.ts';
import { runHubAction } from './hub-actions.ts';
import type { EngineStores, RunRecords } from './run-records.ts';
import {
  answerTransition,
  downstream,
  isInstallTask,
  nextSteps,
  rerunSet,
  runGraph,
  type InstallLimit,
  type RunGraph,
} from './scheduler.ts';
import type { SecretStore } from './secrets.ts';
import { decodeSpec } from './spec-codec.ts';
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
  /** Package installs running at once across the fleet (the topology's convergence.parallelInstalls); default unbounded. */
  maxParallelInstalls?: number;
  /** Told when recording what nodes sent failed (a full disk): the hub goes on; default: a line on stderr. */
  onStoreError?: (what: string, err: Error) => void;
  /** The time, in epoch milliseconds (what the engine records and schedules by); default Date.now. */
  clock?: () => number;
}

/** A node's log line is kept up to this many characters: the rest says how much was cut. */
const LOG_LINE_MAX = 4_096;

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

interface Graph extends RunGraph {
  runId: number;
}

const defaultBackoff = (attempt: number): number => Math.min(30_000, 1000 * 2 ** (attempt - 1));

/**
 * The convergence engine: a dependency-graph scheduler. A task is sent the
 * moment everything it depends on is done (parallel across nodes and within
 * one), gates are probe tasks (never sleeps), failures retry with backoff
 * when the node says trying again could help, and a failure blocks only what
 * depends on it. All progress is in sqlite: a new engine on the same
 * database picks up where a killed one stopped.
 *
 * This class is the dispatcher: it reads and records through the store
 * (run-store.ts), asks the pure scheduler (scheduler.ts) what each event
 * means, runs the hub's own actions (hub-actions.ts), and owns the timers
 * and the channel to the nodes.
 */
export class ConvergeEngine {
  readonly secrets: SecretStore;
  private readonly store: RunRecords;
  private readonly channel: NodeChannel;
  private readonly backoff: (attempt: number) => number;
  private readonly grace: number;
  private readonly logLines: number;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Array<{ runId: number; resolve: (s: RunSummary) => void }> = [];
  private inbox: Array<{ node: string; result: TaskResult__Output }> = [];
  private logInbox: Array<{ node: string; line: LogLine__Output }> = [];
  /** Each task's spec, decoded once with the contract it needs (the pump reads both at every event). */
  private readonly specs = new Map<string, { spec: PlannedTask; needs: ContractNeed | undefined }>();
  private graph: Graph | undefined;
  private closed = false;
  private readonly runDeadlineMs: number;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly maxParallelInstalls: number;
  /** Installs the limit held back: candidates again when an install ends (a resume or pump considers all anyway). */
  private deferredInstalls = new Set<string>();
  private readonly onStoreError: (what: string, err: Error) => void;
  private readonly now: () => number;
  /** Connected nodes whose next tasks wait because they speak too old a contract, with why (for status). */
  private readonly held = new Map<string, string>();

  /** Its records and secrets come in as stores (`databaseStores(db)` for the hub's database), its time as `clock`. */
  constructor(stores: EngineStores, channel: NodeChannel, opts: EngineOptions = {}) {
    this.store = stores.runs;
    this.channel = channel;
    this.backoff = opts.backoffMs ?? defaultBackoff;
    this.grace = opts.timeoutGraceMs ?? 5_000;
    this.logLines = opts.logLinesPerTask ?? 200;
    this.runDeadlineMs = opts.runDeadlineMs ?? 60 * 60_000;
    this.maxParallelInstalls = opts.maxParallelInstalls ?? Infinity;
    this.now = opts.clock ?? Date.now;
    this.onStoreError =
      opts.onStoreError ?? ((what, err) => process.stderr.write(`kubedos-hub: ${what} failed: ${err.message}\n`));
    this.secrets = stores.secrets;
    channel.onResult((node, result) => this.onResult(node, result));
    channel.onConnected((node) => this.onConnected(node));
    channel.onLog?.((node, line) => this.onLog(node, line));
  }

  /** Starts a run of the plan; the engine drives it from here on. */
  start(plan: Plan, opts: { dryRun?: boolean } = {}): number {
    const active = this.store.activeRun();
    if (active)
      throw new UserError(`convergence run ${active.id} is still running`, 'wait for it, or see `hubctl status`');
    let runId = 0;
    this.store.transaction(() => {
      this.secrets.store(plan.secrets ?? {}, 'plan', this.now());
      runId = this.store.createRun(plan, !!opts.dryRun, this.now());
    });
    this.held.clear();
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
    const run = this.store.activeRun();
    if (!run) return undefined;
    let cancelled = 0;
    const inFlight = this.store.rows(run.id, 'dispatched');
    this.store.transaction(() => {
      cancelled += this.store.blockPending(run.id, reason);
      for (const t of inFlight) {
        const key = wireTaskId(run.id, t.task_id);
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
        this.channel.cancelTask?.(t.node, key, reason);
        this.store.markCancelled(run.id, t.task_id, reason, this.now());
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
        !this.specOf(t).hubAction &&
        !this.channel.isConnected(t.node)
      )
        left.set(t.node, (left.get(t.node) ?? 0) + 1);
    return [
      ...[...left].map(([node, n]) => `${node} (not connected, ${n} task${n === 1 ? '' : 's'} left)`),
      ...[...this.held.values()],
    ];
  }

  /** Why a connected node's next tasks wait (it speaks too old a contract), if they do. */
  heldReason(node: string): string | undefined {
    return this.held.get(node);
  }

  private armDeadline(runId: number): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => {
      if (this.closed || this.store.activeRun()?.id !== runId) return;
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
    const run = this.store.activeRun();
    if (!run) return undefined;
    for (const t of this.store.rows(run.id, 'dispatched')) this.send(run, t);
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
    const active = this.store.activeRun();
    if (active && active.id !== run.id)
      throw new UserError(`run ${active.id} is still running`, 'wait for it, or see `hubctl status`');
    const tasks = this.rows(run.id);
    const picked = tasks.filter((t) => t.task_id === target || t.node === target);
    if (picked.length === 0)
      throw new UserError(`no task or node "${target}" in run ${run.id}`, 'see `hubctl plan` for the task ids');
    // Blocked tasks further down the graph were blocked by the same failure: reset them too.
    const reset = rerunSet(
      tasks,
      picked.map((t) => t.task_id),
    );
    const byId = new Map(tasks.map((t) => [t.task_id, t]));
    this.store.transaction(() => {
      for (const id of reset) this.store.resetForRerun(run.id, id, decodeSpec(byId.get(id)!.spec).retries);
      this.store.reopenRun(run.id);
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
    return this.store.latestRun();
  }

  run(id: number): RunRow | undefined {
    return this.store.run(id);
  }

  rows(runId: number, state?: TaskRow['state']): TaskRow[] {
    return this.store.rows(runId, state);
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

  /** The active run's graph, read once per run: dependencies never change within a run. */
  private graphOf(runId: number): Graph {
    if (this.graph?.runId === runId) return this.graph;
    this.graph = { runId, ...runGraph(this.store.graphRows(runId)) };
    return this.graph;
  }

  /** Considers every task of the active run (at start, resume, reconnection, rerun, a retry coming due). */
  pump(): void {
    if (this.closed) return;
    const run = this.store.activeRun();
    if (!run) return;
    this.advance(run, this.graphOf(run.id).order);
  }

  /**
   * Sends every candidate the scheduler says can go, in one transaction
   * (the rows say "dispatched" before anything leaves, so a crash resends
   * rather than loses); hub tasks and skipped ones are done inline.
   * Finishes the run when nothing is left to do.
   */
  private advance(run: RunRow, candidates: Iterable<string>): void {
    const g = this.graphOf(run.id);
    const now = this.now();
    const rows = new Map<string, TaskRow | undefined>();
    const row = (id: string) => {
      if (!rows.has(id)) rows.set(id, this.store.task(run.id, id));
      return rows.get(id);
    };
    const installs: InstallLimit | undefined =
      this.maxParallelInstalls === Infinity
        ? undefined
        : {
            max: this.maxParallelInstalls,
            isInstall: (id) => this.isInstall(row(id)),
            inFlight: () => this.store.rows(run.id, 'dispatched').filter((t) => this.isInstall(t)).length,
          };
    this.store.transaction(() => {
      // Under the install limit, the earliest phase installs first (etcd's packages before node exporters).
      const ids = [...candidates, ...this.deferredInstalls];
      const phase = (id: string) => PHASES.indexOf((row(id)?.phase ?? '') as Phase);
      const { steps, nextRetryAt, deferred, held } = nextSteps(
        g,
        installs ? ids.sort((a, b) => phase(a) - phase(b)) : ids,
        (id) => {
          const t = row(id);
          if (!t) return undefined;
          const { spec, needs } = this.decoded(t);
          const skip = t.state === 'pending' ? spec.skip : undefined;
          return {
            state: t.state,
            node: t.node,
            retryAt: t.retry_at,
            ...(skip ? { skip } : {}),
            ...(spec.hubAction ? { hub: true } : {}),
            ...(needs ? { needs } : {}),
          };
        },
        now,
        (node) => this.channel.isConnected(node),
        installs,
        this.channel.contractOf ? (node) => this.channel.contractOf!(node) : undefined,
      );
      this.deferredInstalls = new Set(deferred);
      const toSend: TaskRow[] = [];
      for (const step of steps) {
        const t = row(step.id)!;
        if (step.action === 'skip') {
          const at = this.now();
          this.store.finishInline(run.id, t.task_id, {
            status: 'TASK_STATUS_SKIPPED',
            changed: false,
            started: at,
            now: at,
            summary: step.reason,
          });
        } else if (step.action === 'hub') {
          const started = this.now();
          const r = runHubAction(this.specOf(t).hubAction, this.secrets, run.dry_run === 1, t.task_id, started);
          this.store.finishInline(run.id, t.task_id, {
            status: r.changed ? 'TASK_STATUS_CHANGED' : 'TASK_STATUS_UNCHANGED',
            changed: r.changed,
            started,
            now: this.now(),
            summary: r.summary,
          });
        } else {
          this.held.delete(t.node);
          this.store.markDispatched(run.id, t.task_id, now);
          toSend.push({ ...t, attempt: t.attempt + 1 });
        }
      }
      for (const h of held ?? []) this.held.set(h.node, h.reason);
      // Tasks leave before the commit's fsync, so the disk and the node work at once. A crash before
      // the commit leaves them pending: they are sent again on resume, which idempotence makes safe.
      for (const t of toSend) this.send(run, t);
      if (nextRetryAt < Infinity) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.pump(), Math.max(0, nextRetryAt - this.now()));
        this.retryTimer.unref?.();
      }
      this.finishIfIdle(run.id);
    });
  }

  private finishIfIdle(runId: number): void {
    if (!this.store.finishIfIdle(runId, this.now())) return;
    this.held.clear();
    const ready = this.waiters.filter((w) => w.runId === runId);
    if (ready.length === 0) return;
    const summary = this.summary(runId);
    this.waiters = this.waiters.filter((w) => w.runId !== runId);
    for (const w of ready) w.resolve(summary);
  }

  private isInstall(t: TaskRow | undefined): boolean {
    return !!t && isInstallTask(this.specOf(t).states);
  }

  /** Specs are immutable within a run; decoding each once keeps a result-to-dispatch turn cheap. */
  private decoded(t: TaskRow): { spec: PlannedTask; needs: ContractNeed | undefined } {
    const key = `${t.run_id}:${t.task_id}`;
    let d = this.specs.get(key);
    if (!d) {
      if (this.specs.size > 50_000) this.specs.clear();
      const spec = decodeSpec(t.spec);
      d = { spec, needs: contractNeeded(spec.states) };
      this.specs.set(key, d);
    }
    return d;
  }

  private specOf(t: TaskRow): PlannedTask {
    return this.decoded(t).spec;
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
    const run = this.store.activeRun();
    if (!run) return;
    // What the node was given and has not answered goes again: the minion may have lost it with its session.
    for (const t of this.store.dispatchedOn(run.id, node)) this.send(run, t);
    this.pump();
  }

  /** Results are applied in batches, one transaction per batch: one fsync for many answers. */
  private onResult(node: string, result: TaskResult__Output): void {
    if (this.closed) return;
    this.inbox.push({ node, result });
    if (this.inbox.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.inbox.splice(0);
    if (this.closed) return;
    try {
      const run = this.store.activeRun();
      if (!run) return;
      const secrets = this.secrets.values();
      this.store.transaction(() => {
        const next = batch.flatMap(({ node, result }) => this.applyResult(run, node, result, secrets));
        this.advance(run, next);
      });
    } catch (err) {
      // Nothing of the batch was recorded (one transaction): it is kept and tried again, and the hub stays up.
      this.onStoreError(`recording ${batch.length} task results`, err as Error);
      this.inbox.unshift(...batch);
      setTimeout(() => this.flush(), 2_000).unref();
    }
  }

  /** Records one answer; returns the tasks that may have become ready. */
  private applyResult(run: RunRow, node: string, result: TaskResult__Output, secrets: string[]): string[] {
    const id = parseWireTaskId(result.taskId);
    if (!id || id.runId !== run.id) return [];
    const t = this.store.task(id.runId, id.taskId);
    const now = this.now();
    const next = answerTransition(t, { node, ...result }, now, this.backoff);
    if (next.to === 'ignore') return [];
    const key = wireTaskId(id.runId, id.taskId);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const outcome = {
      status: result.status,
      finishedAt: now,
      durationMs: result.durationMs,
      outputTail: redactSecrets(tailOf(result.outputTail), secrets),
      error: redactSecrets(result.error, secrets),
      summary: redactSecrets(
        result.states
          .filter((s) => s.status !== 'TASK_STATUS_UNCHANGED')
          .map((s) => `${s.stateId}: ${s.summary}`)
          .join('; '),
        secrets,
      ),
    };
    if (next.to === 'done') {
      this.store.markDone(id.runId, id.taskId, outcome);
      return this.graphOf(run.id).dependents.get(id.taskId) ?? [];
    }
    if (next.to === 'retry') {
      this.store.markRetry(id.runId, id.taskId, next.at, outcome);
      this.appendLog(id.runId, node, id.taskId, 'warn', `attempt ${t!.attempt} failed, retrying: ${outcome.error}`);
      return [id.taskId];
    }
    // Failed for good: it, and only what depends on it, stops here.
    this.store.markFailed(id.runId, id.taskId, outcome);
    const reason = `blocked by ${id.taskId} (${statusWord(result.status)})`;
    for (const x of downstream(this.graphOf(run.id), id.taskId)) this.store.block(run.id, x, reason);
    this.appendLog(id.runId, t!.node, id.taskId, 'error', `failed: ${outcome.error}`);
    return [];
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
    try {
      const run = this.store.activeRun();
      const secrets = this.secrets.values();
      this.store.transaction(() => {
        for (const { node, line } of batch) {
          // Only for a task of the active run the hub sent to this very node: a node writes no other task's log.
          const id = parseWireTaskId(line.taskId);
          if (!id || id.runId !== run?.id) continue;
          const t = this.store.task(id.runId, id.taskId);
          if (!t || t.node !== node || t.attempt === 0) continue;
          const text =
            line.text.length > LOG_LINE_MAX
              ? `${line.text.slice(0, LOG_LINE_MAX)}… (${line.text.length - LOG_LINE_MAX} more characters)`
              : line.text;
          const level = ['debug', 'info', 'warn', 'error'].includes(line.level) ? line.level : 'info';
          this.appendLog(id.runId, node, id.taskId, level, redactSecrets(text, secrets));
        }
      });
    } catch (err) {
      // Log lines are not worth the hub: the batch is dropped, and said.
      this.onStoreError(`recording ${batch.length} log lines`, err as Error);
    }
  }

  private appendLog(runId: number, node: string, taskId: string, level: string, text: string): void {
    this.store.appendLog(runId, node, taskId, level, text, this.now(), this.logLines);
  }
}
