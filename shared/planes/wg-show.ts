/**
 * Parses `wg show <iface> dump`: the first line is the interface, every
 * further line a peer (public key, preshared key, endpoint, allowed ips,
 * latest handshake, rx, tx, keepalive), tab separated.
 */
export interface WgPeerStatus {
  publicKey: string;
  endpoint: string | undefined;
  allowedIps: string[];
  /** seconds since the epoch; 0 when there never was a handshake */
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
}

export interface WgInterfaceStatus {
  publicKey: string;
  listenPort: number;
  peers: WgPeerStatus[];
}

export function parseWgDump(text: string): WgInterfaceStatus {
  const [head, ...rest] = text.trim().split('\n');
  const h = (head ?? '').split('\t');
  if (h.length < 4) throw new Error('not the output of `wg show <iface> dump`');
  return {
    publicKey: h[1]!,
    listenPort: Number(h[2]),
    peers: rest.map((line) => {
      const f = line.split('\t');
      return {
        publicKey: f[0]!,
        endpoint: f[2] === '(none)' ? undefined : f[2],
        allowedIps: f[3] === '(none)' ? [] : f[3]!.split(','),
        latestHandshake: Number(f[4]),
        rxBytes: Number(f[5]),
        txBytes: Number(f[6]),
      };
    }),
  };
}
