/**
 * The hub's command line (`kubedos-hub`, hub/serve.ts), built in one place
 * for everything that starts a hub: the image's systemd unit, the local
 * substrates, the tests and benchmarks. Flags in a fixed order.
 */
export interface HubCommand {
  stateDir: string;
  topology: string;
  inventory: string;
  tlsCaCert: string;
  tlsCaKey: string;
  /** host:port; absent: the topology's hub port on every address. */
  listen?: string;
  /** The recovery key's public half, which the hub seals its backups to. */
  backupRecipient?: string;
  /** How the hub holds its planes (absent: none). */
  planes?: 'auto' | 'wireguard-go';
  /** The root the planes' files are written under (a netns node's own folder). */
  root?: string;
  darksite?: string;
  metricsListen?: string;
  /** Where every node shares one address (the sim's loopback), the hub must allow that many connections from it. */
  connectionsPerPeer?: number;
  /** Benchmarks that put many calls on one connection raise the hub's limit of calls per connection. */
  streamsPerConnection?: number;
}

export function hubCommandArgs(c: HubCommand): string[] {
  const opt = (flag: string, v: string | number | undefined) => (v === undefined ? [] : [flag, String(v)]);
  return [
    ...opt('--state-dir', c.stateDir),
    ...opt('--topology', c.topology),
    ...opt('--inventory', c.inventory),
    ...opt('--tls-ca-cert', c.tlsCaCert),
    ...opt('--tls-ca-key', c.tlsCaKey),
    ...opt('--listen', c.listen),
    ...opt('--backup-recipient', c.backupRecipient),
    ...opt('--planes', c.planes),
    ...opt('--root', c.root),
    ...opt('--darksite', c.darksite),
    ...opt('--metrics-listen', c.metricsListen),
    ...opt('--connections-per-peer', c.connectionsPerPeer),
    ...opt('--streams-per-connection', c.streamsPerConnection),
  ];
}
