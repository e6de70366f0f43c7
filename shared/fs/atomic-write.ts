import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that a crash at any point leaves either the old content or
 * the new one, never a torn file: temp file in the same directory, fsync,
 * rename, fsync the directory. The mode is set before any byte is written, so
 * a secret is never readable by others even briefly.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = path.dirname(file);
  makeParents(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, mode);
  try {
    fs.fchmodSync(fd, mode);
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

/**
 * Creates dir and whichever of its parents are missing, each 0755 whatever
 * the process umask: a daemon running with UMask=0077 (the minion) would
 * otherwise leave /etc/etcd 0700 and etcd unable to reach its own files.
 * Directories that exist keep their mode.
 */
export function makeParents(dir: string, mode = 0o755): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    fs.mkdirSync(d, { recursive: true, mode });
    fs.chmodSync(d, mode);
  }
}

/** A private directory: created 0700, and tightened to 0700 if it existed looser. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}
