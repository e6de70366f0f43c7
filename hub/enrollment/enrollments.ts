import { UserError } from '../../shared/errors.ts';
import type { DatabaseSync } from 'node:sqlite';
import { statement } from '../state/statements.ts';

/** A node's current enrollment: the identity key that speaks for it now. */
export interface Enrollment {
  node: string;
  identityPublicKey: Uint8Array;
  enrolledAt: number;
  windowId: string;
  generation: number;
}

interface EnrollmentRow {
  node: string;
  identity_public_key: Uint8Array;
  enrolled_at: number;
  window_id: string;
  generation: number;
}

function fromRow(r: EnrollmentRow): Enrollment {
  return {
    node: r.node,
    identityPublicKey: r.identity_public_key,
    enrolledAt: r.enrolled_at,
    windowId: r.window_id,
    generation: r.generation,
  };
}

export function enrollmentOf(db: DatabaseSync, node: string): Enrollment | undefined {
  const r = statement(db, 'SELECT * FROM enrollments WHERE node = ?').get(node) as EnrollmentRow | undefined;
  return r ? fromRow(r) : undefined;
}

export function listEnrollments(db: DatabaseSync): Enrollment[] {
  return (statement(db, 'SELECT * FROM enrollments').all() as unknown as EnrollmentRow[]).map(fromRow);
}

export function planeKeysOf(db: DatabaseSync, node: string): Map<string, Uint8Array> {
  const rows = statement(db, 'SELECT plane, public_key FROM plane_keys WHERE node = ?').all(node) as Array<{
    plane: string;
    public_key: Uint8Array;
  }>;
  return new Map(rows.map((r) => [r.plane, r.public_key]));
}

/** Records a nonce as spent until it could no longer pass the clock-skew check anyway. */
export function spendNonce(db: DatabaseSync, nonce: Uint8Array, expiresAt: number): boolean {
  const r = statement(db, 'INSERT INTO used_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
    nonce,
    expiresAt,
  );
  return r.changes === 1;
}

export function pruneNonces(db: DatabaseSync, now: number): void {
  statement(db, 'DELETE FROM used_nonces WHERE expires_at < ?').run(now);
}

/** Whether any of these keys was ever revoked (one query for a whole request's keys). */
export function anyRevoked(db: DatabaseSync, keys: Uint8Array[]): boolean {
  if (keys.length === 0) return false;
  const sql = `SELECT 1 FROM revoked_keys WHERE public_key IN (${keys.map(() => '?').join(', ')}) LIMIT 1`;
  return statement(db, sql).get(...keys) !== undefined;
}

/** A credential a replaced node may be given: 32 bytes, never spent, no other node's. */
export function checkNewCredential(db: DatabaseSync, node: string, key: Uint8Array): void {
  if (key.length !== 32) throw new UserError('a credential key is 32 bytes (base64 of an Ed25519 public key)');
  if (statement(db, 'SELECT 1 FROM spent_credentials WHERE public_key = ?').get(key))
    throw new UserError(`that credential was spent already: ${node} needs a new one`);
  if (statement(db, 'SELECT 1 FROM inventory WHERE credential_public_key = ? AND node != ?').get(key, node))
    throw new UserError("that credential is another node's");
}

/**
 * `hubctl replace NODE`: the node's identity and plane keys are revoked for
 * good and the node becomes expected again (its addresses are kept). Its
 * next enrollment needs a window, like any other, and a new credential
 * (the old seed's was spent by its first enrollment): the deployer makes it
 * and gives its public half here.
 */
export function revokeNode(
  db: DatabaseSync,
  node: string,
  now: number,
  newCredential?: Uint8Array,
): { generation: number; revoked: Uint8Array[]; identity: Uint8Array | undefined } {
  if (newCredential) checkNewCredential(db, node, newCredential);
  const current = enrollmentOf(db, node);
  const revoked: Uint8Array[] = [];
  const record = statement(
    db,
    'INSERT INTO revoked_keys (public_key, node, kind, revoked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  if (current) {
    record.run(current.identityPublicKey, node, 'identity', now);
    revoked.push(current.identityPublicKey);
  }
  for (const [plane, key] of planeKeysOf(db, node)) {
    record.run(key, node, `plane:${plane}`, now);
    revoked.push(key);
  }
  statement(db, 'DELETE FROM enrollments WHERE node = ?').run(node);
  statement(db, 'DELETE FROM plane_keys WHERE node = ?').run(node);
  statement(db, 'UPDATE inventory SET generation = generation + 1 WHERE node = ?').run(node);
  // The rebuilt node's credential (its new seed's); without one the node cannot enroll again (its own was spent).
  if (newCredential)
    statement(db, 'UPDATE inventory SET credential_public_key = ? WHERE node = ?').run(newCredential, node);
  const { generation } = statement(db, 'SELECT generation FROM inventory WHERE node = ?').get(node) as {
    generation: number;
  };
  return { generation, revoked, identity: current?.identityPublicKey };
}
