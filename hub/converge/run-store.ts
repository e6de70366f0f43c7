import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Plan } from '../plan/model.ts';
import { statement } from '../state/statements.ts';
import { encodeSpec } from './spec-codec.ts';
import type { RunRow, TaskRow } from './task-row.ts';
import type { RunRecords } from './run-records.ts';

/** What a node's answer leaves on its task row. */
export interface Outcome {
  status: string;
  finishedAt: number;
  durationMs: number;
  summary: string;
  outputTail: string;
  error: string;
}

/**
 * The convergence runs in sqlite: every transition of a task is one
 * statement, so a hub killed at any line resumes from a consistent row
 * (done stays done, dispatched is sent again). Statements are compiled once.
 */
export class RunStore implements RunRecords {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  private sql(text: string): StatementSync {
    return statement(this.db, text);
  }

  /**
   * Runs fn in one transaction: all of it is recorded, or none of it. Inside
   * a transaction someone else opened on the hub's connection (the store's
   * group commit) it becomes a savepoint of that one.
   */
  transaction(fn: () => void): void {
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

  /** Inside the caller's transaction. */
  createRun(plan: Plan, dryRun: boolean, now: number): number {
    const runId = Number(
      this.sql("INSERT INTO converge_run (started_at, dry_run, state) VALUES (?, ?, 'running')").run(
        now,
        dryRun ? 1 : 0,
      ).lastInsertRowid,
    );
    const insert = this.sql(
      "INSERT INTO converge_task (run_id, task_id, seq, node, name, phase, deps, spec, state, retries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
    );
    plan.tasks.forEach((t, seq) =>
      insert.run(runId, t.id, seq, t.node, t.name, t.phase, JSON.stringify(t.deps), encodeSpec(t), t.retries),
    );
    return runId;
  }

  activeRun(): RunRow | undefined {
    return this.sql("SELECT * FROM converge_run WHERE state = 'running' ORDER BY id DESC LIMIT 1").get() as
      RunRow | undefined;
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

  graphRows(runId: number): Array<{ task_id: string; deps: string }> {
    return this.sql('SELECT task_id, deps FROM converge_task WHERE run_id = ? ORDER BY seq').all(runId) as Array<{
      task_id: string;
      deps: string;
    }>;
  }

  task(runId: number, taskId: string): TaskRow | undefined {
    return this.sql('SELECT * FROM converge_task WHERE run_id = ? AND task_id = ?').get(runId, taskId) as
      TaskRow | undefined;
  }

  dispatchedOn(runId: number, node: string): TaskRow[] {
    return this.sql(
      "SELECT * FROM converge_task WHERE run_id = ? AND state = 'dispatched' AND node = ? ORDER BY seq",
    ).all(runId, node) as unknown as TaskRow[];
  }

  markDispatched(runId: number, taskId: string, now: number): void {
    this.sql(
      "UPDATE converge_task SET state = 'dispatched', attempt = attempt + 1, dispatched_at = ? WHERE run_id = ? AND task_id = ?",
    ).run(now, runId, taskId);
  }

  /** A task the hub finished without a node: its own actions, and skipped tasks. */
  finishInline(
    runId: number,
    taskId: string,
    o: { status: string; changed: boolean; started: number; now: number; summary: string },
  ): void {
    this.sql(
      "UPDATE converge_task SET state = 'done', attempt = attempt + 1, status = ?, changed = ?, dispatched_at = ?, finished_at = ?, duration_ms = ?, summary = ? WHERE run_id = ? AND task_id = ?",
    ).run(o.status, o.changed ? 1 : 0, o.started, o.now, o.now - o.started, o.summary, runId, taskId);
  }

  markDone(runId: number, taskId: string, o: Omit<Outcome, 'error'>): void {
    this.sql(
      "UPDATE converge_task SET state = 'done', status = ?, changed = ?, finished_at = ?, duration_ms = ?, summary = ?, output_tail = ?, error = '' WHERE run_id = ? AND task_id = ?",
    ).run(
      o.status,
      o.status === 'TASK_STATUS_CHANGED' ? 1 : 0,
      o.finishedAt,
      o.durationMs,
      o.summary,
      o.outputTail,
      runId,
      taskId,
    );
  }

  markRetry(runId: number, taskId: string, retryAt: number, o: Outcome): void {
    this.sql(
      "UPDATE converge_task SET state = 'pending', status = ?, retry_at = ?, finished_at = ?, duration_ms = ?, summary = ?, output_tail = ?, error = ? WHERE run_id = ? AND task_id = ?",
    ).run(o.status, retryAt, o.finishedAt, o.durationMs, o.summary, o.outputTail, o.error, runId, taskId);
  }

  markFailed(runId: number, taskId: string, o: Outcome): void {
    this.sql(
      "UPDATE converge_task SET state = 'failed', status = ?, finished_at = ?, duration_ms = ?, summary = ?, output_tail = ?, error = ? WHERE run_id = ? AND task_id = ?",
    ).run(o.status, o.finishedAt, o.durationMs, o.summary, o.outputTail, o.error, runId, taskId);
  }

  /** A task cancelled on its node (the run was ended). */
  markCancelled(runId: number, taskId: string, reason: string, now: number): void {
    this.sql(
      "UPDATE converge_task SET state = 'failed', status = 'TASK_STATUS_CANCELLED', finished_at = ?, error = ? WHERE run_id = ? AND task_id = ?",
    ).run(now, reason, runId, taskId);
  }

  /** Blocks one task if it is still pending. */
  block(runId: number, taskId: string, reason: string): void {
    this.sql(
      "UPDATE converge_task SET state = 'blocked', error = ? WHERE run_id = ? AND task_id = ? AND state = 'pending'",
    ).run(reason, runId, taskId);
  }

  /** Blocks every pending task of the run; returns how many. */
  blockPending(runId: number, reason: string): number {
    return Number(
      this.sql("UPDATE converge_task SET state = 'blocked', error = ? WHERE run_id = ? AND state = 'pending'").run(
        reason,
        runId,
      ).changes,
    );
  }

  /** Pending again, with the plan's retry budget counted from the attempts made (not a task on its node). */
  resetForRerun(runId: number, taskId: string, retries: number): void {
    this.sql(
      "UPDATE converge_task SET state = 'pending', retry_at = 0, error = '', retries = attempt + ? WHERE run_id = ? AND task_id = ? AND state != 'dispatched'",
    ).run(retries, runId, taskId);
  }

  reopenRun(runId: number): void {
    this.sql("UPDATE converge_run SET state = 'running', finished_at = NULL WHERE id = ?").run(runId);
  }

  /** Ends the run when nothing is pending or dispatched: failed if anything failed or was blocked. */
  finishIfIdle(runId: number, now: number): RunRow['state'] | undefined {
    const open = this.sql(
      "SELECT EXISTS (SELECT 1 FROM converge_task WHERE run_id = ? AND state IN ('pending', 'dispatched')) AS busy",
    ).get(runId) as { busy: number };
    if (open.busy) return undefined;
    const bad = this.sql(
      "SELECT EXISTS (SELECT 1 FROM converge_task WHERE run_id = ? AND state IN ('failed', 'blocked')) AS bad",
    ).get(runId) as { bad: number };
    const state = bad.bad ? 'failed' : 'done';
    this.sql("UPDATE converge_run SET state = ?, finished_at = ? WHERE id = ? AND state = 'running'").run(
      state,
      now,
      runId,
    );
    return state;
  }

  /** Keeps about the last `keep` lines of a task: trimmed every 50th insert, through the (run, node, task) index. */
  appendLog(runId: number, node: string, taskId: string, level: string, text: string, now: number, keep: number): void {
    const id = Number(
      this.sql('INSERT INTO converge_log (run_id, task_id, node, at_ms, level, text) VALUES (?, ?, ?, ?, ?, ?)').run(
        runId,
        taskId,
        node,
        now,
        level,
        text,
      ).lastInsertRowid,
    );
    if (id % 50 !== 0) return;
    this.sql(
      'DELETE FROM converge_log WHERE run_id = ? AND node = ? AND task_id = ? AND id <= (SELECT id FROM converge_log WHERE run_id = ? AND node = ? AND task_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
    ).run(runId, node, taskId, runId, node, taskId, keep);
  }
}
