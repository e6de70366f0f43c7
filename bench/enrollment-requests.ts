import crypto from 'node:crypto';
import type { EnrollRequest } from '../proto/gen/kubedos/v1/EnrollRequest.ts';
import type { InventoryFile } from '../shared/identity/files.ts';
import { sign } from '../shared/keys/ed25519.ts';
import { encodeEnrollPayload } from '../shared/proto/contract.ts';
import type { Topology } from '../shared/topology/model.ts';

// Client-side key material comes from node:crypto here: tweetnacl would spend
// minutes deriving 40,000 keys, and none of that is the hub's work being measured.
export function ed25519(): { seed: Buffer; publicKey: Buffer } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    seed: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32),
  };
}

function x25519Public(): Buffer {
  return crypto.generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

/**
 * The inventory of a synthetic topology (a credential per node) and a signed
 * enrollment request for each of `nodes`, with the identity seed it proves.
 */
export function benchEnrollment(
  topology: Topology,
  nodes: string[],
): {
  inventory: InventoryFile;
  requests: Array<{ node: string; request: EnrollRequest; identitySeed: Buffer }>;
} {
  const credentials = new Map<string, { seed: Buffer; publicKey: Buffer }>();
  const inventory: InventoryFile = {
    deployment: topology.name,
    nodes: topology.nodes.map((x) => {
      const c = ed25519();
      credentials.set(x.hostname, c);
      return { node: x.hostname, credentialPublicKey: c.publicKey.toString('base64') };
    }),
  };
  const requests = nodes.map((node) => {
    const identity = ed25519();
    const payload = encodeEnrollPayload({
      deployment: topology.name,
      node,
      identityPublicKey: identity.publicKey,
      planeKeys: ['wg1', 'wg2', 'wg3'].map((plane) => ({ plane, publicKey: x25519Public() })),
      timestampMs: Date.now(),
      nonce: crypto.randomBytes(16),
      facts: { hostname: node },
    });
    return {
      node,
      identitySeed: identity.seed,
      request: {
        payload: Buffer.from(payload),
        credentialSignature: Buffer.from(sign(credentials.get(node)!.seed, payload)),
        identitySignature: Buffer.from(sign(identity.seed, payload)),
      },
    };
  });
  return { inventory, requests };
}
