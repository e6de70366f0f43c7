import type { DatabaseSync } from 'node:sqlite';
import { isDiskFull } from './disk-full.ts';

/**
 * Group commit: writes that arrive while the event loop is busy are applied
 * in one transaction and made durable with one fsync, then every caller is
 * answered. Each job runs inside its own savepoint, so one job that throws is
 * rolled back alone and the others still commit. Callers are answered only
 * after COMMIT returns: nothing is acknowledged that a crash could lose.
 *
 * Jobs run synchronously inside the batch, so a job sees every earlier job's
 * writes: checks such as "is this address free" stay exact under concurrency.
 */
export class GroupCommit {
  readonly #db: DatabaseSync;
  #queue: Array<{ job: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  #scheduled = false;
  readonly #maxBatch: number;
  readonly #beforeCommit: () => void;
  readonly #committed: (err: unknown | undefined) => void;

  /**
   * beforeCommit runs once per batch inside its transaction, for work that need not repeat per job;
   * committed hears how each batch ended (undefined: it committed), as the hub's disk-full watch does.
   */
  constructor(
    db: DatabaseSync,
    opts: { maxBatch?: number; beforeCommit?: () => void; committed?: (err: unknown | undefined) => void } = {},
  ) {
    this.#db = db;
    this.#maxBatch = opts.maxBatch ?? 2000;
    this.#beforeCommit = opts.beforeCommit ?? (() => {});
    this.#committed = opts.committed ?? (() => {});
  }

  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ job, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const batch = this.#queue.splice(0, this.#maxBatch);
    this.#scheduled = this.#queue.length > 0;
    if (this.#scheduled) setImmediate(() => this.#flush());
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const item of batch) {
        this.#db.exec('SAVEPOINT job');
        try {
          outcomes.push({ ok: true, value: item.job() });
          this.#db.exec('RELEASE job');
        } catch (err) {
          this.#db.exec('ROLLBACK TO job');
          this.#db.exec('RELEASE job');
          outcomes.push({ ok: false, value: err });
        }
      }
      this.#beforeCommit();
      this.#db.exec('COMMIT');
    } catch (err) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // the failed COMMIT may already have rolled back
      }
      this.#committed(err);
      for (const item of batch) item.reject(err);
      return;
    }
    // A job that failed alone for lack of room counts too (its savepoint could not be written).
    this.#committed(outcomes.find((o) => !o.ok && isDiskFull(o.value))?.value);
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.value);
    });
  }
}
