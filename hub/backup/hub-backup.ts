import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import zlib from 'node:zlib';
import { seal } from '../../shared/crypto/sealed-box.ts';
import { ensurePrivateDir, writeFileAtomic } from '../../shared/fs/atomic-write.ts';

/**
 * A backup of the hub's state: a consistent snapshot of its database
 * (sqlite's `VACUUM INTO`, never a copy of a live WAL file) with the files
 * beside it that a hub cannot make again without changing the platform (its
 * CAs and their keys, its plane keys), sealed to the deployment's recovery
 * key (shared/crypto/sealed-box.ts). The master holds only the recovery
 * key's public half, so its backups are unreadable there and wherever they
 * are shipped; the operator's run dir holds the private half.
 */
export const HUB_BACKUP_FORMAT = 'kubedos-hub-backup/1';

/** The folders of the state dir a backup carries, besides the database. */
const CARRIED = ['pki', 'planes'];
const BACKUPS_DIR = 'backups';
const EXTENSION = '.kdbackup';
/** How many backups the master keeps (the oldest go first). */
export const HUB_BACKUPS_KEPT = 24;

export interface HubBackupBundle {
  format: typeof HUB_BACKUP_FORMAT;
  deployment: string;
  takenAtMs: number;
  /** The database snapshot, then the carried files: paths relative to the state dir. */
  files: Array<{ path: string; mode: number; data: string }>;
  /**
   * The hub TLS CA's signature over the rest (base64): the seal keeps a
   * backup unreadable, this makes it the hub's. Anyone with the recovery
   * key's public half can seal a file; only the master can sign one.
   */
  signature: string;
}

/** What the signature covers: the bundle's fields in a fixed order. */
export function signedPart(b: Omit<HubBackupBundle, 'signature'>): Buffer {
  return Buffer.from(JSON.stringify([b.format, b.deployment, b.takenAtMs, b.files]));
}

export interface HubBackupInfo {
  name: string;
  takenAtMs: number;
  bytes: number;
  sha256: string;
}

function carriedFiles(stateDir: string): Array<{ path: string; mode: number; data: string }> {
  const out: Array<{ path: string; mode: number; data: string }> = [];
  const walk = (rel: string) => {
    const abs = path.join(stateDir, rel);
    if (!fs.existsSync(abs)) return;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(r);
      else if (entry.isFile() && !entry.name.includes('.tmp'))
        out.push({
          path: r,
          mode: fs.statSync(path.join(stateDir, r)).mode & 0o777,
          data: fs.readFileSync(path.join(stateDir, r)).toString('base64'),
        });
    }
  };
  for (const dir of CARRIED) walk(dir);
  return out;
}

function backupsDir(stateDir: string): string {
  return path.join(stateDir, BACKUPS_DIR);
}

/** "hub-2026-12-07T05-42-24-123Z.kdbackup": sortable, and the time it was taken. */
function backupName(takenAtMs: number): string {
  return `hub-${new Date(takenAtMs).toISOString().replace(/[:.]/g, '-')}${EXTENSION}`;
}

function takenAtOf(name: string): number | undefined {
  const m = /^hub-(\d{4}-\d\d-\d\dT\d\d)-(\d\d)-(\d\d)-(\d{3})Z\.kdbackup$/.exec(name);
  return m ? Date.parse(`${m[1]}:${m[2]}:${m[3]}.${m[4]}Z`) : undefined;
}

/**
 * Takes a backup now: the snapshot and the carried files, gzipped, sealed,
 * written 0600 (atomically: a crash leaves the previous backups and no half
 * file) under the state dir's backups/, the oldest beyond HUB_BACKUPS_KEPT
 * removed. Returns it with its bytes (what `hubctl hub backup --out` writes).
 */
export function takeHubBackup(opts: {
  db: DatabaseSync;
  stateDir: string;
  deployment: string;
  recipient: Uint8Array;
  /** The hub TLS CA's key (PEM): what signs the backup. */
  signingKeyPem: string;
  now: number;
}): HubBackupInfo & { sealed: Buffer } {
  const dir = backupsDir(opts.stateDir);
  ensurePrivateDir(dir);
  const snapshot = path.join(dir, `.snapshot-${process.pid}-${opts.now}.db`);
  fs.rmSync(snapshot, { force: true });
  let db: Buffer;
  try {
    // A consistent copy of the database as one transaction sees it, made by sqlite itself.
    opts.db.exec(`VACUUM INTO '${snapshot.replaceAll("'", "''")}'`);
    db = fs.readFileSync(snapshot);
  } finally {
    fs.rmSync(snapshot, { force: true });
  }
  const unsigned: Omit<HubBackupBundle, 'signature'> = {
    format: HUB_BACKUP_FORMAT,
    deployment: opts.deployment,
    takenAtMs: opts.now,
    files: [{ path: 'hub.db', mode: 0o600, data: db.toString('base64') }, ...carriedFiles(opts.stateDir)],
  };
  const signature = crypto
    .sign('sha256', signedPart(unsigned), crypto.createPrivateKey(opts.signingKeyPem))
    .toString('base64');
  const bundle: HubBackupBundle = { ...unsigned, signature };
  const sealed = seal(zlib.gzipSync(JSON.stringify(bundle)), opts.recipient);
  const name = backupName(opts.now);
  writeFileAtomic(path.join(dir, name), sealed, 0o600);
  pruneHubBackups(opts.stateDir);
  return { name, takenAtMs: opts.now, bytes: sealed.length, sha256: sha256(sealed), sealed };
}

function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** The backups the master keeps, newest first. */
export function listHubBackups(stateDir: string): HubBackupInfo[] {
  const dir = backupsDir(stateDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .flatMap((name) => {
      const takenAtMs = takenAtOf(name);
      if (takenAtMs === undefined) return [];
      const data = fs.readFileSync(path.join(dir, name));
      return [{ name, takenAtMs, bytes: data.length, sha256: sha256(data) }];
    })
    .sort((a, b) => b.takenAtMs - a.takenAtMs);
}

/** One kept backup's sealed bytes, by name (only names this module made). */
export function readHubBackup(stateDir: string, name: string): Buffer | undefined {
  if (takenAtOf(name) === undefined) return undefined;
  const file = path.join(backupsDir(stateDir), name);
  return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
}

/** Removes the oldest beyond HUB_BACKUPS_KEPT, by their names alone (nothing read or hashed). */
function pruneHubBackups(stateDir: string): void {
  const dir = backupsDir(stateDir);
  const kept = fs
    .readdirSync(dir)
    .filter((n) => takenAtOf(n) !== undefined)
    .sort((a, b) => takenAtOf(b)! - takenAtOf(a)!);
  for (const old of kept.slice(HUB_BACKUPS_KEPT)) fs.rmSync(path.join(dir, old), { force: true });
}

/** The newest kept backup's name and time, by names alone (what the schedule counts from, across restarts). */
export function newestHubBackup(stateDir: string): { name: string; takenAtMs: number } | undefined {
  const dir = backupsDir(stateDir);
  if (!fs.existsSync(dir)) return undefined;
  let newest: { name: string; takenAtMs: number } | undefined;
  for (const name of fs.readdirSync(dir)) {
    const takenAtMs = takenAtOf(name);
    if (takenAtMs !== undefined && (!newest || takenAtMs > newest.takenAtMs)) newest = { name, takenAtMs };
  }
  return newest;
}

/** One kept backup's bytes and checksum, by name. */
export function hubBackupWithSum(stateDir: string, name: string): { data: Buffer; sha256: string } | undefined {
  const data = readHubBackup(stateDir, name);
  return data && { data, sha256: sha256(data) };
}
