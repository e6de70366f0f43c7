import type * as grpc from '@grpc/grpc-js';
import type { DatabaseSync } from 'node:sqlite';
import { AUTH_HEADERS } from '../../shared/auth/call-signature.ts';
import { REPLACEMENT_PROOF_KEY } from '../../shared/auth/replacement-proof.ts';
import { REFUSAL_NOT_ENROLLED, refusalMetadata } from '../../shared/proto/contract-version.ts';
import { statement } from '../state/statements.ts';
import { verifyCall } from './verify-call.ts';

/** Signs "node N's identity key K was revoked" (the hub's TLS CA key); what a minion discards its keys on. */
export type ProveReplacement = (node: string, identityPublicKey: Uint8Array) => string;

/** The identity keys this node held before `hubctl replace` revoked them. */
function revokedIdentityKeys(db: DatabaseSync, node: string): Uint8Array[] {
  return (
    statement(db, "SELECT public_key FROM revoked_keys WHERE node = ? AND kind = 'identity'").all(node) as Array<{
      public_key: Uint8Array;
    }>
  ).map((r) => r.public_key);
}

/** The refusal's trailing metadata for a node whose key `key` was revoked: the typed kind and its proof. */
export function replacedMetadata(prove: ProveReplacement, node: string, key: Uint8Array): grpc.Metadata {
  return refusalMetadata(REFUSAL_NOT_ENROLLED, { [REPLACEMENT_PROOF_KEY]: prove(node, key) });
}

/**
 * A call this hub could not match to an enrolled key: if it is signed with
 * one of the node's revoked identity keys, the node was replaced, and the
 * refusal carries the proof (so its minion discards those keys and enrolls
 * again). Otherwise undefined: the hub does not know the key (its state may
 * have been lost or restored from an older backup), and proves nothing.
 */
export function replacedRefusalMetadata(
  db: DatabaseSync,
  metadata: grpc.Metadata,
  method: string,
  now: number,
  prove: ProveReplacement,
): grpc.Metadata | undefined {
  const node = metadata.get(AUTH_HEADERS.node)[0];
  if (typeof node !== 'string') return undefined;
  for (const key of revokedIdentityKeys(db, node)) {
    try {
      verifyCall(metadata, method, () => key, now);
      return replacedMetadata(prove, node, key);
    } catch {
      // not signed with this one
    }
  }
  return undefined;
}
