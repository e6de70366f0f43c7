import { status } from '@grpc/grpc-js';
import type { DatabaseSync } from 'node:sqlite';
import { MAX_CLOCK_SKEW_MS } from '../../shared/auth/call-signature.ts';
import type { Plane } from '../../shared/topology/model.ts';
import { AllocationError, allocatePlaneAddresses } from '../ipam/plane-allocation.ts';
import type { CheckedEnrollment } from './check-enroll-request.ts';
import { EnrollError } from './enroll-error.ts';
import { anyRevoked, enrollmentOf, spendNonce } from './enrollments.ts';
import { coveringWindow } from './windows.ts';
import { statement } from '../state/statements.ts';

/**
 * The stateful half of enrollment, run inside a group-commit transaction:
 * single-use nonce, no takeover of an enrolled identity, a credential not
 * spent before, an open window for this node, then the durable record, the
 * node's addresses and the credential marked spent. The grant is read back
 * after commit.
 */
export function admitEnrollment(db: DatabaseSync, planes: Plane[], checked: CheckedEnrollment, now: number): void {
  const { payload, inventory } = checked;
  if (!spendNonce(db, payload.nonce, payload.timestampMs + MAX_CLOCK_SKEW_MS)) {
    throw new EnrollError(
      status.UNAUTHENTICATED,
      'replayed',
      'replayed enrollment request refused (nonce already used)',
    );
  }
  const current = enrollmentOf(db, inventory.node);
  if (current) {
    // The same node asking again with the same key (it crashed before saving
    // the answer) gets its grant again; anyone else is an attempted takeover.
    if (Buffer.compare(Buffer.from(current.identityPublicKey), payload.identityPublicKey) === 0) return;
    throw new EnrollError(
      status.ALREADY_EXISTS,
      'already_enrolled',
      `${inventory.node} is already enrolled with another identity; if the node was rebuilt, run "hubctl replace ${inventory.node}" and open a window`,
    );
  }
  // A credential is spent by the first enrollment it made: after a replace the node needs a new one (a new seed).
  if (statement(db, 'SELECT 1 FROM spent_credentials WHERE public_key = ?').get(inventory.credentialPublicKey)) {
    throw new EnrollError(
      status.PERMISSION_DENIED,
      'spent_credential',
      `the enrollment credential of ${inventory.node} was spent by an earlier enrollment; a rebuilt node needs a new seed (kubedos redeploy makes one)`,
    );
  }
  const window = coveringWindow(db, inventory, now);
  if (!window) {
    throw new EnrollError(
      status.FAILED_PRECONDITION,
      'no_window',
      `no enrollment window is open for ${inventory.node} (${inventory.role}); an operator runs "hubctl enroll open"`,
    );
  }
  if (anyRevoked(db, [payload.identityPublicKey, ...payload.planeKeys.map((k) => k.publicKey)])) {
    throw new EnrollError(
      status.PERMISSION_DENIED,
      'revoked_key',
      'a key in this request was revoked; the node must generate new keys',
    );
  }
  if (statement(db, 'SELECT 1 FROM enrollments WHERE identity_public_key = ?').get(payload.identityPublicKey)) {
    throw new EnrollError(
      status.PERMISSION_DENIED,
      'already_enrolled',
      'this identity key already belongs to another node',
    );
  }
  // A WireGuard key is one peer: taking another node's would move its allowed-ips here and cut that node off.
  const planeKeys = payload.planeKeys.map((k) => k.publicKey);
  const held = statement(
    db,
    `SELECT 1 FROM plane_keys WHERE node != ? AND public_key IN (${planeKeys.map(() => '?').join(', ')}) LIMIT 1`,
  );
  if (
    new Set(planeKeys.map((k) => Buffer.from(k).toString('hex'))).size !== planeKeys.length ||
    held.get(inventory.node, ...planeKeys)
  ) {
    throw new EnrollError(
      status.PERMISSION_DENIED,
      'foreign_plane_key',
      "a plane key in this request is not this node's own; the node must generate new keys",
    );
  }
  try {
    allocatePlaneAddresses(db, planes, inventory, now);
  } catch (err) {
    if (err instanceof AllocationError) {
      throw new EnrollError(
        err.kind === 'exhausted' ? status.RESOURCE_EXHAUSTED : status.ALREADY_EXISTS,
        'no_address',
        err.message,
      );
    }
    throw err;
  }
  statement(
    db,
    'INSERT INTO enrollments (node, identity_public_key, enrolled_at, window_id, generation, facts) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(inventory.node, payload.identityPublicKey, now, window.id, inventory.generation, JSON.stringify(payload.facts));
  const key = statement(
    db,
    'INSERT INTO plane_keys (node, plane, public_key) VALUES (?, ?, ?) ON CONFLICT (node, plane) DO UPDATE SET public_key = excluded.public_key',
  );
  for (const k of payload.planeKeys) key.run(inventory.node, k.plane, k.publicKey);
  statement(db, 'INSERT INTO spent_credentials (public_key, node, spent_at) VALUES (?, ?, ?)').run(
    inventory.credentialPublicKey,
    inventory.node,
    now,
  );
}
