import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../shared/log.ts';
import type { ConvergeService } from '../converge/converge-service.ts';
import { certificatesDue } from './issued-certificates.ts';

export type RenewalVerdict = 'none due' | 'started' | 'busy' | 'waiting';

/**
 * Watches the certificates the hub signed: when one enters its renewal
 * time, the hub starts a convergence, in which the node makes a new key,
 * asks for its certificate and restarts what uses it. A run that did not
 * renew everything (a node was offline) is tried again after `retryMs`.
 */
export class CertificateRenewalWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly db: DatabaseSync;
  private readonly service: ConvergeService;
  private readonly log: Logger;
  private readonly retryMs: number;

  constructor(opts: { db: DatabaseSync; service: ConvergeService; log: Logger; retryMs?: number }) {
    this.db = opts.db;
    this.service = opts.service;
    this.log = opts.log;
    this.retryMs = opts.retryMs ?? 10 * 60_000;
  }

  async tick(now = Date.now()): Promise<RenewalVerdict> {
    const due = certificatesDue(this.db, now);
    if (due.length === 0) return 'none due';
    const last = this.service.engine.latestRun();
    if (last?.state === 'running') return 'busy';
    const firstDue = Math.min(...due.map((c) => c.renewAt));
    if (last && last.started_at >= firstDue && now - last.started_at < this.retryMs) return 'waiting';
    const { runId } = await this.service.startConvergence();
    this.log.info('certificates due for renewal: convergence started', {
      runId,
      certificates: due.map((c) => `${c.node}/${c.profile} (expires ${new Date(c.notAfter).toISOString()})`),
    });
    return 'started';
  }

  start(intervalMs = 60_000): void {
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) =>
        this.log.error('certificate renewal could not start', { error: String(err) }),
      );
    }, intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
