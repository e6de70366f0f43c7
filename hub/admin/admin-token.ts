import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';

export const ADMIN_TOKEN_FILE = 'admin.token';
export const ADMIN_SOCKET_FILE = 'admin.sock';

/** The admin credential: 32 random bytes in `<stateDir>/admin.token`, 0600, readable only by the hub's user. */
export function loadOrCreateAdminToken(stateDir: string): string {
  const file = path.join(stateDir, ADMIN_TOKEN_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = crypto.randomBytes(32).toString('base64url');
  writeFileAtomic(file, token + '\n', 0o600);
  return token;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timing. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
