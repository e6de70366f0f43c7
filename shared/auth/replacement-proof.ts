import crypto from 'node:crypto';

/**
 * The proof a hub gives a node it replaced: "node N's identity key K is
 * revoked", signed with the hub's TLS CA key, the key every node pins. A
 * minion discards its keys on this proof only, never on a bare "not
 * enrolled": a hub that lost its state (or was restored from an older
 * backup) knows nothing of the node and so cannot prove a replacement,
 * and the node keeps its keys until the hub knows it again. The statement
 * names the deployment, the node and the exact key, so a proof made for one
 * key says nothing about any other.
 */

/** Trailing metadata key of a refusal that proves the replacement (base64 signature). */
export const REPLACEMENT_PROOF_KEY = 'kubedos-replaced-proof';

function statement(deployment: string, node: string, identityPublicKey: Uint8Array): Buffer {
  return Buffer.from(
    `kubedos replaced\ndeployment ${deployment}\nnode ${node}\nidentity ${Buffer.from(identityPublicKey).toString('base64')}\n`,
  );
}

/** Signs the statement with the hub's TLS CA key (PEM); base64. */
export function proveReplacement(
  caKeyPem: string,
  deployment: string,
  node: string,
  identityPublicKey: Uint8Array,
): string {
  return crypto
    .sign('sha256', statement(deployment, node, identityPublicKey), crypto.createPrivateKey(caKeyPem))
    .toString('base64');
}

/** Whether `proof` is the pinned CA's signature over this node's replacement with exactly this key. */
export function isReplacementProof(
  caCertPem: string,
  deployment: string,
  node: string,
  identityPublicKey: Uint8Array,
  proof: string | undefined,
): boolean {
  if (!proof) return false;
  try {
    const key = new crypto.X509Certificate(caCertPem).publicKey;
    return crypto.verify('sha256', statement(deployment, node, identityPublicKey), key, Buffer.from(proof, 'base64'));
  } catch {
    return false;
  }
}
