import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { underRoot } from './paths.ts';

/**
 * A file that changed leaves a marker until a service that restarts on it
 * has been restarted. Markers live on disk because the file and the service
 * are often in different tasks, and the minion may be killed between them.
 * The marker is written before the file, so a crash can cost an extra
 * restart but never a missed one.
 */
const MARKER_DIR = '/var/lib/kubedos/changed';

function markerFor(root: string, nodePath: string): string {
  const digest = crypto.createHash('sha256').update(nodePath).digest('hex').slice(0, 32);
  return path.join(underRoot(root, MARKER_DIR), digest);
}

export function markChanged(root: string, nodePath: string): void {
  writeFileAtomic(markerFor(root, nodePath), `${nodePath}\n`);
}

export function changedSinceRestart(root: string, nodePaths: readonly string[]): string[] {
  return nodePaths.filter((p) => fs.existsSync(markerFor(root, p)));
}

export function clearChanged(root: string, nodePaths: readonly string[]): void {
  for (const p of nodePaths) fs.rmSync(markerFor(root, p), { force: true });
}
