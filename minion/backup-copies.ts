import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HubBackupCopy__Output } from '../proto/gen/kubedos/v1/HubBackupCopy.ts';
import type { HubBackupStored } from '../proto/gen/kubedos/v1/HubBackupStored.ts';
import { ensurePrivateDir, writeFileAtomic } from '../shared/fs/atomic-write.ts';

/** Where a node keeps the hub's backups it was given (the storage node), under its root. */
export const HUB_BACKUP_COPIES_DIR = '/var/backups/kubedos/hub';
/** How many it keeps: the newest. */
export const HUB_BACKUP_COPIES_KEPT = 24;
/** A hub backup's name: its time, so names sort oldest first. */
export const HUB_BACKUP_NAME = /^hub-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.kdbackup$/;

/**
 * Keeps a backup of the hub's state the hub sent, so that losing the master
 * does not lose it: a name of the hub's own form only, its bytes checked
 * against the checksum sent with them, written 0600 atomically (a crash
 * leaves the older copies and no half file), the oldest beyond the kept
 * count removed. It is sealed: this node can read none of it.
 */
export function storeHubBackupCopy(root: string, copy: HubBackupCopy__Output): HubBackupStored {
  if (!HUB_BACKUP_NAME.test(copy.name)) return { name: copy.name.slice(0, 80), error: 'not a hub backup name' };
  const sha256 = crypto.createHash('sha256').update(copy.data).digest('hex');
  if (sha256 !== copy.sha256) return { name: copy.name, error: 'its bytes do not match the checksum sent with them' };
  const dir = path.join(root, HUB_BACKUP_COPIES_DIR);
  try {
    ensurePrivateDir(dir);
    writeFileAtomic(path.join(dir, copy.name), copy.data, 0o600);
    const kept = fs
      .readdirSync(dir)
      .filter((n) => HUB_BACKUP_NAME.test(n))
      .sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - HUB_BACKUP_COPIES_KEPT)))
      fs.rmSync(path.join(dir, old), { force: true });
  } catch (err) {
    return { name: copy.name, error: `not kept: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  return { name: copy.name, sha256 };
}
