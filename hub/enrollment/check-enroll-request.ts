import { status } from '@grpc/grpc-js';
import type { DatabaseSync } from 'node:sqlite';
import type { EnrollPayload__Output } from '../../proto/gen/kubedos/v1/EnrollPayload.ts';
import type { EnrollRequest__Output } from '../../proto/gen/kubedos/v1/EnrollRequest.ts';
import { MAX_CLOCK_SKEW_MS } from '../../shared/auth/call-signature.ts';
import type { SignatureVerifier } from './signature-verifier.ts';
import { decodeEnrollPayload } from '../../shared/proto/contract.ts';
import { PLANE_NAMES } from '../../shared/topology/model.ts';
import { inventoryNode, type InventoryNode } from '../state/inventory.ts';
import { EnrollError, NOT_A_CREDENTIAL } from './enroll-error.ts';

/**
 * Signature checks queued at once (two per request, a few hundred bytes
 * each): above the 10,000 nodes bench/enroll.ts enrolls at the same moment,
 * and a bound on what a flood can queue (a few tens of MiB).
 */
export const MAX_SIGNATURE_CHECKS_IN_FLIGHT = 32_768;

export interface CheckedEnrollment {
  payload: EnrollPayload__Output;
  inventory: InventoryNode;
}

/**
 * Every check that needs no write: shape, deployment, inventory membership,
 * both signatures, hardware identity and freshness. Runs before the request
 * joins a group commit, so the expensive part (signature checks) happens
 * outside the write transaction.
 */
export async function checkEnrollRequest(
  db: DatabaseSync,
  verifier: SignatureVerifier,
  deployment: string,
  request: EnrollRequest__Output,
  now: number,
): Promise<CheckedEnrollment> {
  let payload: EnrollPayload__Output;
  try {
    payload = decodeEnrollPayload(request.payload);
  } catch {
    throw new EnrollError(status.INVALID_ARGUMENT, 'malformed', 'malformed enrollment payload');
  }
  if (payload.identityPublicKey.length !== 32) {
    throw new EnrollError(status.INVALID_ARGUMENT, 'malformed', 'identity public key must be 32 bytes');
  }
  if (payload.nonce.length !== 16)
    throw new EnrollError(status.INVALID_ARGUMENT, 'malformed', 'nonce must be 16 bytes');
  const planes = payload.planeKeys.map((k) => k.plane).sort();
  if (
    planes.join(',') !== [...PLANE_NAMES].sort().join(',') ||
    payload.planeKeys.some((k) => k.publicKey.length !== 32)
  ) {
    throw new EnrollError(
      status.INVALID_ARGUMENT,
      'malformed',
      `exactly one 32-byte WireGuard public key per plane (${PLANE_NAMES.join(', ')}) is required`,
    );
  }
  if (payload.deployment !== deployment) {
    throw new EnrollError(
      status.UNAUTHENTICATED,
      'wrong_deployment',
      NOT_A_CREDENTIAL,
      `a request for deployment "${payload.deployment.slice(0, 64)}", not this one`,
    );
  }
  const inventory = inventoryNode(db, payload.node);
  if (!inventory) {
    throw new EnrollError(
      status.UNAUTHENTICATED,
      'unknown_node',
      NOT_A_CREDENTIAL,
      `unknown node "${payload.node.slice(0, 64)}": not in this deployment's inventory`,
    );
  }
  // Bounded: a flood of well-formed requests for known names waits here, not in an ever longer queue.
  if (verifier.inFlight >= MAX_SIGNATURE_CHECKS_IN_FLIGHT) {
    throw new EnrollError(status.RESOURCE_EXHAUSTED, 'busy', 'the hub is busy with enrollments: try again shortly');
  }
  const [credentialOk, identityOk] = await Promise.all([
    verifier.verify([inventory.credentialPublicKey, request.payload, request.credentialSignature]),
    verifier.verify([payload.identityPublicKey, request.payload, request.identitySignature]),
  ]);
  if (!credentialOk) {
    throw new EnrollError(
      status.UNAUTHENTICATED,
      'bad_signature',
      NOT_A_CREDENTIAL,
      `enrollment credential rejected for ${payload.node}: the request was altered, or the credential belongs to another node (or was renewed by a replace)`,
    );
  }
  if (!identityOk) {
    throw new EnrollError(
      status.UNAUTHENTICATED,
      'bad_signature',
      'identity signature invalid: the node must sign with the key it enrolls',
    );
  }
  if (inventory.smbiosUuid && inventory.smbiosUuid.toLowerCase() !== payload.smbiosUuid.toLowerCase()) {
    throw new EnrollError(
      status.PERMISSION_DENIED,
      'wrong_machine',
      `${payload.node} reported SMBIOS UUID "${payload.smbiosUuid}" but the inventory expects another machine`,
    );
  }
  if (inventory.smbiosSerial && inventory.smbiosSerial !== payload.smbiosSerial) {
    throw new EnrollError(
      status.PERMISSION_DENIED,
      'wrong_machine',
      `${payload.node} reported an SMBIOS serial the inventory does not expect`,
    );
  }
  if (Math.abs(now - payload.timestampMs) > MAX_CLOCK_SKEW_MS) {
    throw new EnrollError(
      status.UNAUTHENTICATED,
      'expired',
      'enrollment request expired or from the future: check the node clock (requests are valid for 5 minutes)',
    );
  }
  return { payload, inventory };
}
