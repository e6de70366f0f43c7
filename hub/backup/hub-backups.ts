import type { DatabaseSync } from 'node:sqlite';
import { UserError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import {
  hubBackupWithSum,
  listHubBackups,
  newestHubBackup,
  readHubBackup,
  takeHubBackup,
  type HubBackupInfo,
} from './hub-backup.ts';

export interface HubBackupsOptions {
  db: DatabaseSync;
  stateDir: string;
  deployment: string;
  recipient: Uint8Array | undefined;
  /** The hub TLS CA's key (PEM), which signs each backup. */
  signingKeyPem: string;
  everyMs: number;
  log: Logger;
  /** Each backup once taken (the hub ships it off the master). */
  onTaken?: (name: string) => void;
}

/**
 * The hub's backups of its own state: taken on `hubctl hub backup` and
 * every `everyMs` (counted from the newest kept backup, so a restarted hub
 * neither skips one nor takes two), kept on the master, each sealed to the
 * deployment's recovery key. Without that key's public half (a hub started
 * without --backup-recipient) none is taken, and the operator is told why.
 */
export class HubBackups {
  readonly #o: HubBackupsOptions;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: HubBackupsOptions) {
    this.#o = o;
  }

  take(now = Date.now()): HubBackupInfo & { sealed: Buffer } {
    const { db, stateDir, deployment, recipient } = this.#o;
    if (!recipient)
      throw new UserError(
        'this hub has no recovery key to seal backups to',
        'start it with --backup-recipient (kubedos gives the master the deployment’s)',
      );
    const b = takeHubBackup({ db, stateDir, deployment, recipient, signingKeyPem: this.#o.signingKeyPem, now });
    this.#o.onTaken?.(b.name);
    return b;
  }

  list(): HubBackupInfo[] {
    return listHubBackups(this.#o.stateDir);
  }

  read(name: string): Buffer | undefined {
    return readHubBackup(this.#o.stateDir, name);
  }

  /** One backup's bytes and checksum (that one read and hashed, no other). */
  withSum(name: string): { data: Buffer; sha256: string } | undefined {
    return hubBackupWithSum(this.#o.stateDir, name);
  }

  /** The newest kept backup's name, from the names alone. */
  newest(): string | undefined {
    return newestHubBackup(this.#o.stateDir)?.name;
  }

  /** Takes a backup when one is due; what it did, for the log and tests. */
  tick(now = Date.now()): 'taken' | 'not due' | 'no recipient' {
    if (!this.#o.recipient) return 'no recipient';
    const last = newestHubBackup(this.#o.stateDir)?.takenAtMs;
    if (last !== undefined && now - last < this.#o.everyMs) return 'not due';
    const b = this.take(now);
    this.#o.log.info('hub backup taken', { name: b.name, bytes: b.bytes, sha256: b.sha256 });
    return 'taken';
  }

  start(): void {
    const check = () => {
      try {
        this.tick();
      } catch (err) {
        // A full disk, say: said, and tried again at the next check; the hub keeps serving.
        this.#o.log.error('hub backup failed', { error: err instanceof Error ? err.message : String(err) });
      }
    };
    this.#timer = setInterval(check, Math.min(this.#o.everyMs, 60_000)).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
