import type { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { ETCD_BACKUP_TASK, snapshotTime } from '../plan/etcd-recovery.ts';
import { decodeSpec } from './spec-codec.ts';

export interface EtcdBackupRecord {
  name: string;
  node: string;
  path: string;
  takenAt: number;
  summary: string;
}

/**
 * The backups the members keep, read from the hub's own record of backup
 * runs (nothing besides: a hub killed mid-backup loses no record, the run's
 * rows are the record), except those of a member replaced since (its disk
 * is another). The member keeps the newest `keep` files of its
 * directory, so the same rule applied here lists what is still there.
 */
export function etcdBackups(db: DatabaseSync): EtcdBackupRecord[] {
  const rows = db
    .prepare(
      `SELECT t.node AS node, t.spec AS spec, t.summary AS summary, t.finished_at AS finished_at, t.changed AS changed
         FROM converge_task t JOIN converge_run r ON r.id = t.run_id
        WHERE t.name = ? AND t.state = 'done' AND t.status != 'TASK_STATUS_SKIPPED' AND r.dry_run = 0
        ORDER BY t.finished_at DESC`,
    )
    .all(ETCD_BACKUP_TASK) as Array<{
    node: string;
    spec: string;
    summary: string;
    finished_at: number;
    changed: number;
  }>;
  // A member replaced since (`hubctl replace`: a new disk) no longer has what it took before.
  const replacedAt = new Map(
    (
      db
        .prepare("SELECT node, MAX(revoked_at) AS at FROM revoked_keys WHERE kind = 'identity' GROUP BY node")
        .all() as Array<{ node: string; at: number }>
    ).map((r) => [r.node, r.at]),
  );
  const seen = new Map<string, number>();
  const byPath = new Map<string, EtcdBackupRecord>();
  const out: EtcdBackupRecord[] = [];
  for (const r of rows) {
    if (r.finished_at <= (replacedAt.get(r.node) ?? -Infinity)) continue;
    const snap = decodeSpec(r.spec).states.find((s) => s.etcdSnapshot)?.etcdSnapshot;
    if (!snap?.dir || !snap.fileName) continue;
    const key = `${r.node}:${path.posix.join(snap.dir, snap.fileName)}`;
    const known = byPath.get(key);
    if (known) {
      // The same file asked for again (a retried run) says only "taken already": keep what the taking said.
      if (r.changed) known.summary = r.summary;
      continue;
    }
    const where = `${r.node}:${snap.dir}`;
    const count = seen.get(where) ?? 0;
    if (count >= (snap.keep || 1)) continue;
    seen.set(where, count + 1);
    const record = {
      name: snap.fileName,
      node: r.node,
      path: path.posix.join(snap.dir, snap.fileName),
      takenAt: r.finished_at,
      summary: r.summary,
    };
    byPath.set(key, record);
    out.push(record);
  }
  return out;
}

/**
 * When the last backup was asked for (taken or not), from the time in its
 * file name, which the hub chose then: the schedule counts from it, so a
 * failing member is not asked again at once, and time stays an input.
 */
export function lastBackupAttempt(db: DatabaseSync): number | undefined {
  const rows = db
    .prepare(
      `SELECT t.spec AS spec FROM converge_task t JOIN converge_run r ON r.id = t.run_id
        WHERE t.name = ? AND r.dry_run = 0 ORDER BY r.id DESC LIMIT 20`,
    )
    .all(ETCD_BACKUP_TASK) as Array<{ spec: string }>;
  const times = rows.flatMap((r) => {
    const name = decodeSpec(r.spec).states.find((s) => s.etcdSnapshot)?.etcdSnapshot?.fileName ?? '';
    const at = snapshotTime(name);
    return at === undefined ? [] : [at];
  });
  return times.length ? Math.max(...times) : undefined;
}
