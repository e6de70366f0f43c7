import { writeFileAtomic } from '../shared/fs/atomic-write.ts';
import type { NodeIdentityFile } from '../shared/identity/files.ts';

/**
 * Rewrites the identity file without the enrollment credential (atomically,
 * 0600): the node is enrolled and holds its own keys; the one-node proof it
 * enrolled with is no longer on its disk.
 */
export function forgetCredential(file: string, identity: NodeIdentityFile): void {
  if (!identity.credentialSeed) return;
  const { credentialSeed: _used, ...rest } = identity;
  writeFileAtomic(file, JSON.stringify(rest, null, 2) + '\n', 0o600);
  delete identity.credentialSeed;
}
