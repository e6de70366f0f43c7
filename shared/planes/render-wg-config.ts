/**
 * The one renderer of WireGuard configuration. It writes wg-quick's format
 * (an [Interface] with Address, then [Peer]s); every bring-up reads that same
 * file: wg-quick directly, or `wg setconf` on the stripped form for
 * wireguard-go, exactly as `wg-quick strip` would produce it.
 */

import { networkContains, networkOfAddress } from '../net/ipv4.ts';

export interface WgPeerConfig {
  /** base64, as `wg pubkey` prints it */
  publicKey: string;
  allowedIps: string[];
  /** "lan-ip:port"; absent for a peer that only ever dials in */
  endpoint?: string;
  persistentKeepalive?: number;
  /** Written as a comment so an operator can tell peers apart. */
  name?: string;
}

export interface WgInterfaceConfig {
  /** base64 private key, generated on this machine */
  privateKey: string;
  /** "10.78.0.41/24": the node's address with the plane's prefix, so the whole plane routes via this interface */
  address: string;
  listenPort: number;
  peers: WgPeerConfig[];
}

const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
/** Keys that only wg-quick understands; `wg setconf` rejects them. */
const WG_QUICK_ONLY = new Set([
  'address',
  'dns',
  'mtu',
  'table',
  'preup',
  'postup',
  'predown',
  'postdown',
  'saveconfig',
]);

export function renderWgConfig(cfg: WgInterfaceConfig): string {
  checkKey(cfg.privateKey, 'private key');
  const lines = [
    '[Interface]',
    `PrivateKey = ${cfg.privateKey}`,
    `Address = ${cfg.address}`,
    `ListenPort = ${cfg.listenPort}`,
  ];
  for (const peer of [...cfg.peers].sort((a, b) =>
    a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0,
  )) {
    checkKey(peer.publicKey, `public key of ${peer.name ?? 'a peer'}`);
    if (peer.allowedIps.length === 0) throw new Error(`peer ${peer.name ?? peer.publicKey} has no allowed IPs`);
    lines.push('', '[Peer]');
    if (peer.name) lines.push(`# ${peer.name.replace(/[\r\n]/g, ' ')}`);
    lines.push(`PublicKey = ${peer.publicKey}`, `AllowedIPs = ${peer.allowedIps.join(', ')}`);
    if (peer.endpoint) lines.push(`Endpoint = ${peer.endpoint}`);
    if (peer.persistentKeepalive) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`);
  }
  return lines.join('\n') + '\n';
}

/** What `wg-quick strip` prints: the config without wg-quick-only keys, for `wg setconf`/`wg syncconf`. */
export function stripWgQuickKeys(text: string): string {
  return (
    text
      .split('\n')
      .filter((line) => {
        const key = line.split('=')[0]!.trim().toLowerCase();
        return !(line.includes('=') && WG_QUICK_ONLY.has(key));
      })
      .join('\n')
      .trimEnd() + '\n'
  );
}

/** The [Interface] Address of a rendered config (what wireguard-go's bring-up assigns with `ip addr`). */
export function addressOf(text: string): string {
  const m = /^\s*Address\s*=\s*(\S+)\s*$/im.exec(text);
  if (!m) throw new Error('the WireGuard config has no Address');
  return m[1]!;
}

function checkKey(key: string, what: string): void {
  if (!BASE64_KEY.test(key)) throw new Error(`${what} is not a base64 WireGuard key`);
}

/**
 * The peers' allowed networks outside the interface's own (a node's pod
 * subnet on wg3): each needs a route via the interface, as wg-quick adds at
 * its start. Both bring-ups add them after every change, so a peer that
 * arrives later is routed too.
 */
export function peerRoutes(text: string): string[] {
  const own = networkOfAddress(addressOf(text));
  const routes = new Set<string>();
  for (const m of text.matchAll(/^\s*AllowedIPs\s*=\s*(.+)$/gim))
    for (const cidr of m[1]!.split(',').map((x) => x.trim()))
      if (cidr && !networkContains(own, cidr.split('/')[0]!)) routes.add(cidr);
  return [...routes].sort();
}
