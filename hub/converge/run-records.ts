import type { DatabaseSync } from 'node:sqlite';
import type { Plan } from '../plan/model.ts';
import { RunStore, type Outcome } from './run-store.ts';
import { SecretStore } from './secrets.ts';
import type { RunRow, TaskRow } from './task-row.ts';

/**
 * What the convergence engine records, and nothing else: the narrow store it
 * is given (raft's Storage, in kubedos's terms). Each method is one
 * transition of a run or a task; `transaction` makes several one. The hub's
 * implementation is `RunStore` over its sqlite database.
 */
export interface RunRecords {
  transaction(fn: () => void): void;
  /** Inside the caller's transaction. */
  createRun(plan: Plan, dryRun: boolean, now: number): number;
  activeRun(): RunRow | undefined;
  latestRun(): RunRow | undefined;
  run(id: number): RunRow | undefined;
  rows(runId: number, state?: TaskRow['state']): TaskRow[];
  graphRows(runId: number): Array<{ task_id: string; deps: string }>;
  task(runId: number, taskId: string): TaskRow | undefined;
  dispatchedOn(runId: number, node: string): TaskRow[];
  markDispatched(runId: number, taskId: string, now: number): void;
  finishInline(
    runId: number,
    taskId: string,
    o: { status: string; changed: boolean; started: number; now: number; summary: string },
  ): void;
  markDone(runId: number, taskId: string, o: Omit<Outcome, 'error'>): void;
  markRetry(runId: number, taskId: string, retryAt: number, o: Outcome): void;
  markFailed(runId: number, taskId: string, o: Outcome): void;
  markCancelled(runId: number, taskId: string, reason: string, now: number): void;
  block(runId: number, taskId: string, reason: string): void;
  blockPending(runId: number, reason: string): number;
  resetForRerun(runId: number, taskId: string, retries: number): void;
  reopenRun(runId: number): void;
  finishIfIdle(runId: number, now: number): RunRow['state'] | undefined;
  appendLog(runId: number, node: string, taskId: string, level: string, text: string, now: number, keep: number): void;
}

/** The engine's two stores: its runs, and the secrets the convergence makes. */
export interface EngineStores {
  runs: RunRecords;
  secrets: SecretStore;
}

/** Both stores on the hub's database (the hub, and tests that look at its rows). */
export function databaseStores(db: DatabaseSync): EngineStores {
  return { runs: new RunStore(db), secrets: new SecretStore(db) };
}
