import fs from 'node:fs';
import { isDiskFull } from '../state/disk-full.ts';

export const AUDIT_LOG_FILE = 'audit.log';

/** One admin call as the audit log keeps it. */
export interface AuditEntry {
  at: string;
  call: string;
  /** The request's fields (admin requests carry no secrets). */
  request: Record<string, unknown>;
  result: string;
}

/** Calls that only read: frequent (kubedos up polls Status), not kept unless refused. */
const READS = new Set(['Status', 'ListWindows', 'Plan', 'Logs', 'ListEtcdBackups', 'Certificates']);

/**
 * The hub's audit log (`audit.log` in its state dir, 0600): a JSON line per
 * admin call that changes something, and per call refused, with its result;
 * appended synchronously, so a call that returned is on disk.
 */
export class AuditLog {
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  }

  record(call: string, request: object, result: string): void {
    if (READS.has(call) && result === 'ok') return;
    const entry: AuditEntry = { at: new Date().toISOString(), call, request: { ...request }, result };
    // Written and flushed to the disk before the call returns: a power loss keeps what was answered.
    try {
      const fd = fs.openSync(this.file, 'a', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(entry) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      // A full disk refuses every write the hub would record (the database's too): the answer still goes back.
      if (!isDiskFull(err)) throw err;
    }
  }

  read(): AuditEntry[] {
    return fs
      .readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
  }
}
