import { CONTRACT_VERSION } from '../shared/proto/contract-version.ts';
import crypto from 'node:crypto';
import type { EnrollRequest } from '../proto/gen/kubedos/v1/EnrollRequest.ts';
import type { Facts } from '../proto/gen/kubedos/v1/Facts.ts';
import { sign, signingKeyPairFromSeed } from '../shared/keys/ed25519.ts';
import type { NodeIdentityFile } from '../shared/identity/files.ts';
import { encodeEnrollPayload } from '../shared/proto/contract.ts';
import { PLANE_NAMES } from '../shared/topology/model.ts';
import type { HardwareIdentity } from './facts.ts';
import type { NodeKeys } from './node-keys.ts';

/**
 * Builds a signed enrollment request: the payload bytes are signed by the
 * per-node enrollment credential (proves "I am the node this ISO was made
 * for") and by the fresh identity key (proves possession). A new nonce and
 * timestamp each time, so every request is single-use.
 */
export function buildEnrollRequest(
  identityFile: NodeIdentityFile,
  keys: NodeKeys,
  hardware: HardwareIdentity,
  facts: Facts,
  now = Date.now(),
): EnrollRequest {
  const payload = encodeEnrollPayload({
    deployment: identityFile.deployment,
    node: identityFile.node,
    smbiosUuid: hardware.smbiosUuid,
    smbiosSerial: hardware.smbiosSerial,
    identityPublicKey: Buffer.from(keys.identity.publicKey),
    planeKeys: PLANE_NAMES.map((plane) => ({ plane, publicKey: Buffer.from(keys.planes[plane].publicKey) })),
    timestampMs: now,
    nonce: crypto.randomBytes(16),
    facts,
    contractVersion: CONTRACT_VERSION,
  });
  if (!identityFile.credentialSeed) throw new CredentialGone();
  const credential = signingKeyPairFromSeed(Buffer.from(identityFile.credentialSeed, 'base64'));
  return {
    payload: Buffer.from(payload),
    credentialSignature: Buffer.from(sign(credential.seed, payload)),
    identitySignature: Buffer.from(sign(keys.identity.seed, payload)),
  };
}

/** The node enrolled once and deleted its credential: only a reinstall (a new seed) can enroll it again. */
export class CredentialGone extends Error {
  constructor() {
    super(
      "this node's enrollment credential was used and deleted when it enrolled; to enroll it again, redeploy it (a new seed)",
    );
  }
}
