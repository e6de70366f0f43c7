import { CONVERGE_MIGRATIONS } from '../converge/schema.ts';
import { revokeNode } from '../enrollment/enrollments.ts';
import { CORE_MIGRATIONS } from '../state/migrations.ts';
import { openHubDb } from '../state/open-db.ts';
import type { HubBackupBundle } from './hub-backup.ts';
import { restoreHubState } from './restore-hub-state.ts';

/**
 * A new master's hub state, written before its hub first starts: the
 * backup restored, and the master's own node (its minion, whose keys were
 * on the lost disk) revoked offline with the new credential its seed
 * carries, so it enrolls again as the next generation while every other
 * node keeps the identity it has.
 */
export function restoreForNewMaster(
  stateDir: string,
  bundle: HubBackupBundle,
  master: string,
  newCredential: Uint8Array,
  now = Date.now(),
): { files: number; generation: number } {
  const r = restoreHubState(stateDir, bundle);
  const db = openHubDb(`${stateDir}/hub.db`, [...CORE_MIGRATIONS, ...CONVERGE_MIGRATIONS]);
  try {
    const { generation } = revokeNode(db, master, now, newCredential);
    return { files: r.files, generation };
  } finally {
    db.close();
  }
}
