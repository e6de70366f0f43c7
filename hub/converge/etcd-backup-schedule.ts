import type { DatabaseSync } from 'node:sqlite';
import { UserError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { topologyDuration } from '../../shared/topology/duration.ts';
import type { ConvergeService } from './converge-service.ts';
import { lastBackupAttempt } from './etcd-backups.ts';

export type ScheduleVerdict = 'started' | 'not due' | 'busy' | 'not ready';

/** "6h" → ms; "off" → undefined (only `hubctl etcd backup` takes one). */
export function backupInterval(every: string): number | undefined {
  return every === 'off' ? undefined : topologyDuration('etcdBackups.every', every);
}

/**
 * The hub orders an etcd snapshot every `every`, counted from the last
 * backup run it started (kept in its database, so a restarted hub neither
 * skips one nor takes two). A backup waits while another run is going, and
 * until the cluster exists and a member is connected.
 */
export class EtcdBackupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private readonly db: DatabaseSync;
  private readonly service: ConvergeService;
  private readonly everyMs: number;
  private readonly log: Logger;

  constructor(opts: { db: DatabaseSync; service: ConvergeService; everyMs: number; log: Logger }) {
    this.db = opts.db;
    this.service = opts.service;
    this.everyMs = opts.everyMs;
    this.log = opts.log;
  }

  tick(now = Date.now()): ScheduleVerdict {
    const last = lastBackupAttempt(this.db);
    if (last !== undefined && now - last < this.everyMs) return 'not due';
    if (this.service.engine.latestRun()?.state === 'running') return 'busy';
    try {
      const b = this.service.startEtcdBackup(now);
      this.log.info('scheduled etcd backup started', { runId: b.runId, node: b.node, path: b.path });
      void b.wait.then((s) => this.log.info('scheduled etcd backup finished', { runId: s.runId, state: s.state }));
      return 'started';
    } catch (err) {
      if (err instanceof UserError) return 'not ready';
      throw err;
    }
  }

  start(): void {
    const check = () => {
      try {
        this.tick();
      } catch (err) {
        this.log.error('scheduled etcd backup failed to start', { error: String(err) });
      }
    };
    this.timer = setInterval(check, Math.min(this.everyMs, 60_000)).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
