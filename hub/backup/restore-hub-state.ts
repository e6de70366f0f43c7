import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import zlib from 'node:zlib';
import { openSealed } from '../../shared/crypto/sealed-box.ts';
import { UserError } from '../../shared/errors.ts';
import { ensurePrivateDir, makeParents, writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { HUB_BACKUP_FORMAT, signedPart, type HubBackupBundle } from './hub-backup.ts';

/**
 * Opens a hub backup with the deployment's recovery key and checks it all
 * before anything is written: that it opens (the right key, not changed
 * since it was sealed), that this deployment's hub signed it (its TLS CA),
 * that it is a hub backup of this deployment, that
 * its paths stay inside a state dir, and that its database passes sqlite's
 * own integrity check.
 */
export function openHubBackup(
  sealed: Uint8Array,
  recoveryKey: Uint8Array,
  deployment: string,
  hubCaPem: string,
): HubBackupBundle {
  const opened = openSealed(sealed, recoveryKey);
  if ('error' in opened) throw new UserError(`the backup cannot be restored: ${opened.error}`);
  let bundle: HubBackupBundle;
  try {
    bundle = JSON.parse(zlib.gunzipSync(opened).toString('utf8')) as HubBackupBundle;
  } catch {
    throw new UserError('the backup cannot be restored: its content is not a hub backup');
  }
  if (bundle.format !== HUB_BACKUP_FORMAT)
    throw new UserError(
      `the backup cannot be restored: format ${JSON.stringify(bundle.format)} is not ${HUB_BACKUP_FORMAT}`,
    );
  if (!signedByHub(bundle, hubCaPem))
    throw new UserError(
      "the backup is not signed by this deployment's hub (its TLS CA): it was not made by the master",
      'restore a backup the hub took (hubctl hub backup --out, or a storage node’s copy)',
    );
  if (bundle.deployment !== deployment)
    throw new UserError(
      `the backup is of deployment ${JSON.stringify(bundle.deployment)}, not ${JSON.stringify(deployment)}`,
    );
  for (const f of bundle.files) {
    const normal = path.normalize(f.path);
    if (path.isAbsolute(normal) || normal.startsWith('..') || normal !== f.path)
      throw new UserError(`the backup cannot be restored: it names a path outside the state dir (${f.path})`);
  }
  if (!bundle.files.some((f) => f.path === 'hub.db'))
    throw new UserError('the backup cannot be restored: it has no database');
  checkDatabase(Buffer.from(bundle.files.find((f) => f.path === 'hub.db')!.data, 'base64'));
  return bundle;
}

function signedByHub(bundle: HubBackupBundle, hubCaPem: string): boolean {
  if (typeof bundle.signature !== 'string') return false;
  try {
    const key = new crypto.X509Certificate(hubCaPem).publicKey;
    return crypto.verify('sha256', signedPart(bundle), key, Buffer.from(bundle.signature, 'base64'));
  } catch {
    return false;
  }
}

function checkDatabase(data: Buffer): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-restore-check-'));
  try {
    const file = path.join(dir, 'hub.db');
    fs.writeFileSync(file, data, { mode: 0o600 });
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const rows = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
      if (rows.length !== 1 || rows[0]!.integrity_check !== 'ok')
        throw new UserError(`the backup's database fails sqlite's integrity check: ${rows[0]?.integrity_check}`);
    } finally {
      db.close();
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`the backup's database cannot be read: ${(err as Error).message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a checked backup into a hub's state dir, which must hold no
 * database (a new master's), unless `replace`: then what is there is moved
 * aside first (`<state-dir>.before-restore-<time>`), never deleted. Each
 * file is written atomically and the database last, so an interrupted
 * restore leaves no database and is simply run again.
 */
export function restoreHubState(
  stateDir: string,
  bundle: HubBackupBundle,
  opts: { replace?: boolean; now?: number } = {},
): { files: number; movedAside?: string } {
  let movedAside: string | undefined;
  if (fs.existsSync(path.join(stateDir, 'hub.db'))) {
    if (!opts.replace)
      throw new UserError(
        `${stateDir} already holds a hub database`,
        'restore onto a new master, or pass --replace to move the present state aside first',
      );
    movedAside = `${stateDir}.before-restore-${opts.now ?? Date.now()}`;
    fs.renameSync(stateDir, movedAside);
  }
  ensurePrivateDir(stateDir);
  // A database's -wal and -shm from before belong to another database: never beside the restored one.
  for (const stale of ['hub.db-wal', 'hub.db-shm']) fs.rmSync(path.join(stateDir, stale), { force: true });
  const ordered = [
    ...bundle.files.filter((f) => f.path !== 'hub.db'),
    ...bundle.files.filter((f) => f.path === 'hub.db'),
  ];
  for (const f of ordered) {
    const file = path.join(stateDir, f.path);
    makeParents(path.dirname(file), 0o700);
    writeFileAtomic(file, Buffer.from(f.data, 'base64'), f.mode & 0o777);
  }
  return { files: ordered.length, ...(movedAside ? { movedAside } : {}) };
}
