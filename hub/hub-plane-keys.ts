import path from 'node:path';
import { ensurePrivateDir } from '../shared/fs/atomic-write.ts';
import type { WireguardKeyPair } from '../shared/keys/wireguard.ts';
import { loadOrCreateWireguardKey } from '../shared/keys/wireguard-key-file.ts';
import { PLANE_NAMES, type PlaneName } from '../shared/topology/model.ts';

/**
 * The hub's own WireGuard keys, one per plane, made on the master the first
 * time the hub starts and kept in `<stateDir>/planes/wgN.key` (0600, the same
 * base64 text `wg genkey` prints). Only the public halves leave this machine.
 */
export function loadOrCreateHubPlaneKeys(stateDir: string): Record<PlaneName, WireguardKeyPair> {
  const dir = path.join(stateDir, 'planes');
  ensurePrivateDir(dir);
  const keys = {} as Record<PlaneName, WireguardKeyPair>;
  for (const plane of PLANE_NAMES) keys[plane] = loadOrCreateWireguardKey(path.join(dir, `${plane}.key`));
  return keys;
}
