import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../shared/fs/atomic-write.ts';
import {
  fromBase64Key,
  generateWireguardKeyPair,
  toBase64,
  wireguardKeyPairFromPrivate,
  type WireguardKeyPair,
} from '../shared/keys/wireguard.ts';
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
  for (const plane of PLANE_NAMES) {
    const file = path.join(dir, `${plane}.key`);
    if (fs.existsSync(file)) {
      keys[plane] = wireguardKeyPairFromPrivate(fromBase64Key(fs.readFileSync(file, 'utf8')));
    } else {
      const kp = generateWireguardKeyPair();
      writeFileAtomic(file, toBase64(kp.privateKey) + '\n', 0o600);
      keys[plane] = kp;
    }
  }
  return keys;
}
