import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../shared/fs/atomic-write.ts';
import { generateSigningKeyPair, signingKeyPairFromSeed, type SigningKeyPair } from '../shared/keys/ed25519.ts';
import type { WireguardKeyPair } from '../shared/keys/wireguard.ts';
import { loadOrCreateWireguardKey } from '../shared/keys/wireguard-key-file.ts';
import { PLANE_NAMES, type PlaneName } from '../shared/topology/model.ts';

/** The keys a node makes for itself and never sends anywhere: its identity and one WireGuard key per plane. */
export interface NodeKeys {
  identity: SigningKeyPair;
  planes: Record<PlaneName, WireguardKeyPair>;
}

const IDENTITY_FILE = 'identity.key';

/**
 * Loads the node's keys from its 0700 state dir, generating any that are
 * missing. They are written (0600, atomically) before they are ever used, so
 * a crash after enrolling can never leave the hub knowing a key the node lost.
 */
export function loadOrCreateNodeKeys(stateDir: string): NodeKeys {
  ensurePrivateDir(stateDir);
  const identityFile = path.join(stateDir, IDENTITY_FILE);
  let identity: SigningKeyPair;
  if (fs.existsSync(identityFile)) {
    identity = signingKeyPairFromSeed(Buffer.from(fs.readFileSync(identityFile, 'utf8').trim(), 'base64'));
  } else {
    identity = generateSigningKeyPair();
    writeFileAtomic(identityFile, Buffer.from(identity.seed).toString('base64') + '\n', 0o600);
  }
  const planes = {} as Record<PlaneName, WireguardKeyPair>;
  for (const plane of PLANE_NAMES) planes[plane] = loadOrCreateWireguardKey(path.join(stateDir, `${plane}.key`));
  return { identity, planes };
}

/** After `hubctl replace`, the old keys are revoked for good: discard them so fresh ones are made. */
export function discardNodeKeys(stateDir: string): void {
  for (const name of [IDENTITY_FILE, ...PLANE_NAMES.map((p) => `${p}.key`)]) {
    fs.rmSync(path.join(stateDir, name), { force: true });
  }
}
