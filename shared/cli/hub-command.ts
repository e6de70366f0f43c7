import { InvalidArgumentError } from 'commander';

/**
 * The hub's command line (`kubedos-hub`, hub/serve.ts), declared once: the
 * hub parses these flags, and everything that starts a hub (the image's
 * systemd unit, the local substrates, the tests and benchmarks) builds its
 * argv from the same table, in its order.
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
  /** How the hub holds its planes (absent: off). */
  planes?: HubPlanesMode;
  /** The root the planes' files are written under (a netns node's own folder). */
  root?: string;
  darksite?: string;
  metricsListen?: string;
  /** Where every node shares one address (the sim's loopback), the hub must allow that many connections from it. */
  connectionsPerPeer?: number;
  /** Benchmarks that put many calls on one connection raise the hub's limit of calls per connection. */
  streamsPerConnection?: number;
  backupEveryMinutes?: number;
  heartbeatMs?: number;
}

export const HUB_PLANES_MODES = ['off', 'auto', 'wg-quick', 'wireguard-go'] as const;
export type HubPlanesMode = (typeof HUB_PLANES_MODES)[number];

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export interface HubFlag {
  key: keyof HubCommand;
  /** The flag with its value's name, as commander takes it: `--state-dir <dir>`. */
  flag: string;
  help: string;
  required?: boolean;
  parse?: (v: string) => number;
  choices?: readonly string[];
  default?: string | number;
}

export const HUB_FLAGS: readonly HubFlag[] = [
  {
    key: 'stateDir',
    flag: '--state-dir <dir>',
    help: 'hub state (database, keys, admin socket); created 0700',
    required: true,
  },
  { key: 'topology', flag: '--topology <file>', help: 'the deployment topology (YAML)', required: true },
  {
    key: 'inventory',
    flag: '--inventory <file>',
    help: 'inventory.json from the deployer (credential public keys)',
    required: true,
  },
  {
    key: 'tlsCaCert',
    flag: '--tls-ca-cert <file>',
    help: "the hub's TLS CA certificate (what every node pins)",
    required: true,
  },
  {
    key: 'tlsCaKey',
    flag: '--tls-ca-key <file>',
    help: "the hub's TLS CA key: the hub issues itself its serving certificate",
    required: true,
  },
  {
    key: 'listen',
    flag: '--listen <host:port>',
    help: "node-facing listener (enrollment and sessions); default 0.0.0.0 on the topology's hub port",
  },
  {
    key: 'backupRecipient',
    flag: '--backup-recipient <file>',
    help: "the deployment's recovery key, public half (base64): the hub seals its backups to it",
  },
  {
    key: 'planes',
    flag: '--planes <mode>',
    help: "bring up the master's WireGuard planes (off where nodes have no network of their own)",
    choices: HUB_PLANES_MODES,
    default: 'off',
  },
  { key: 'root', flag: '--root <dir>', help: 'root directory the plane configs are written under', default: '/' },
  {
    key: 'darksite',
    flag: '--darksite <dir>',
    help: "the nodes' darksite (the master's copy): tasks needing a package it lacks are skipped",
  },
  {
    key: 'metricsListen',
    flag: '--metrics-listen <host:port>',
    help: 'serve GET /metrics (Prometheus text format) there; "wg2": on the hub\'s wg2 address, port 9464',
  },
  {
    key: 'connectionsPerPeer',
    flag: '--connections-per-peer <n>',
    help: 'connections one address may hold on the node-facing port',
    parse: positiveInt,
  },
  {
    key: 'streamsPerConnection',
    flag: '--streams-per-connection <n>',
    help: 'calls one connection may hold open at once',
    parse: positiveInt,
  },
  {
    key: 'backupEveryMinutes',
    flag: '--backup-every-minutes <n>',
    help: 'how often the hub backs its state up (0: only on hubctl hub backup)',
    parse: nonNegativeInt,
    default: 60,
  },
  {
    key: 'heartbeatMs',
    flag: '--heartbeat-ms <ms>',
    help: 'heartbeat interval asked of minions',
    parse: positiveInt,
    default: 5000,
  },
];

/** The hub's argv for these settings: each flag given, in the table's order. */
export function hubCommandArgs(c: HubCommand): string[] {
  return HUB_FLAGS.flatMap((f) => {
    const v = c[f.key];
    return v === undefined ? [] : [f.flag.split(' ')[0]!, String(v)];
  });
}
