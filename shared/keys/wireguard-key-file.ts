import fs from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import {
  fromBase64Key,
  generateWireguardKeyPair,
  toBase64,
  wireguardKeyPairFromPrivate,
  type WireguardKeyPair,
} from './wireguard.ts';

/**
 * A WireGuard private key kept in a file the way `wg genkey > file` keeps it
 * (base64 and a newline, 0600), made on first use on the machine that uses it.
 */
export function loadOrCreateWireguardKey(file: string): WireguardKeyPair {
  if (fs.existsSync(file)) return wireguardKeyPairFromPrivate(fromBase64Key(fs.readFileSync(file, 'utf8')));
  const kp = generateWireguardKeyPair();
  writeFileAtomic(file, toBase64(kp.privateKey) + '\n', 0o600);
  return kp;
}
