import { hubMetricsAddress } from './metrics/metrics-address.ts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runMain } from '../shared/cli/run-main.ts';
import { UserError } from '../shared/errors.ts';
import type { InventoryFile } from '../shared/identity/files.ts';
import { createLogger } from '../shared/log.ts';
import { loadTopology } from '../shared/topology/load.ts';
import { Hub } from './hub.ts';
import { readInputFile, readKeyFile } from '../shared/fs/read-input.ts';
import { DEFAULT_CONNECTION_LIMITS } from './listener/limited-listener.ts';
import { HUB_VERSION } from './version.ts';
import { clearHubReady, writeHubReady } from './ready-file.ts';
import { CONTRACT_VERSION } from '../shared/proto/contract-version.ts';

const readFile = (what: string, file: string): string => readInputFile(what, file).toString('utf8');

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

runMain('kubedos-hub', async () => {
  const program = new Command('kubedos-hub')
    .description('The kubedos hub: enrollment, plane addressing, sessions and convergence for one deployment.')
    .version(HUB_VERSION)
    .requiredOption('--state-dir <dir>', 'hub state (database, keys, admin socket); created 0700')
    .requiredOption('--topology <file>', 'the deployment topology (YAML)')
    .requiredOption('--inventory <file>', 'inventory.json from the deployer (credential public keys)')
    .requiredOption('--tls-ca-cert <file>', "the hub's TLS CA certificate (what every node pins)")
    .requiredOption('--tls-ca-key <file>', "the hub's TLS CA key: the hub issues itself its serving certificate")
    .option(
      '--listen <host:port>',
      "node-facing listener (enrollment and sessions); default 0.0.0.0 on the topology's hub port",
    )
    .option(
      '--connections-per-peer <n>',
      `connections one address may hold on the node-facing port (default ${DEFAULT_CONNECTION_LIMITS.perPeer})`,
      positiveInt,
    )
    .option(
      '--streams-per-connection <n>',
      `calls one connection may hold open at once (default ${DEFAULT_CONNECTION_LIMITS.streamsPerConnection})`,
      positiveInt,
    )
    .option(
      '--backup-recipient <file>',
      "the deployment's recovery key, public half (base64): the hub seals its backups to it",
    )
    .option(
      '--backup-every-minutes <n>',
      'how often the hub backs its state up (0: only on hubctl hub backup)',
      nonNegativeInt,
      60,
    )
    .option('--heartbeat-ms <ms>', 'heartbeat interval asked of minions', positiveInt, 5000)
    .addOption(
      new Option(
        '--planes <mode>',
        "bring up the master's WireGuard planes (off where nodes have no network of their own)",
      )
        .choices(['off', 'auto', 'wg-quick', 'wireguard-go'])
        .default('off'),
    )
    .option('--root <dir>', 'root directory the plane configs are written under', '/')
    .option('--darksite <dir>', "the nodes' darksite (the master's copy): tasks needing a package it lacks are skipped")
    .option(
      '--metrics-listen <host:port>',
      'serve GET /metrics (Prometheus text format) there; "wg2": on the hub\'s wg2 address, port 9464',
    )
    .exitOverride();
  program.parse();
  const o = program.opts<{
    stateDir: string;
    topology: string;
    inventory: string;
    tlsCaCert: string;
    tlsCaKey: string;
    listen?: string;
    heartbeatMs: number;
    connectionsPerPeer?: number;
    backupRecipient?: string;
    backupEveryMinutes: number;
    streamsPerConnection?: number;
    planes: 'off' | 'auto' | 'wg-quick' | 'wireguard-go';
    root: string;
    darksite?: string;
    metricsListen?: string;
  }>();
  const log = createLogger('hub');
  const topology = loadTopology(o.topology);
  const listen = o.listen ?? `0.0.0.0:${topology.hub.port}`;
  let inventory: InventoryFile;
  try {
    inventory = JSON.parse(readFile('inventory', o.inventory)) as InventoryFile;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`inventory ${o.inventory} is not valid JSON`);
  }
  const hub = new Hub({
    stateDir: o.stateDir,
    topology,
    inventory,
    listen,
    tlsCaCertPem: readFile('TLS CA certificate', o.tlsCaCert),
    tlsCaKeyPem: readFile('TLS CA key', o.tlsCaKey),
    heartbeatIntervalMs: o.heartbeatMs,
    ...(o.backupRecipient ? { backupRecipient: readKeyFile('backup recipient key', o.backupRecipient) } : {}),
    backupEveryMs: o.backupEveryMinutes * 60_000,
    connectionLimits: {
      ...(o.connectionsPerPeer ? { perPeer: o.connectionsPerPeer } : {}),
      ...(o.streamsPerConnection ? { streamsPerConnection: o.streamsPerConnection } : {}),
    },
    ...(o.planes === 'off' ? {} : { planes: { mode: o.planes, root: o.root } }),
    ...(o.darksite ? { darksiteDir: o.darksite } : {}),
    ...(o.metricsListen
      ? { metricsListen: o.metricsListen === 'wg2' ? hubMetricsAddress(topology) : o.metricsListen }
      : {}),
    log,
  });
  // An earlier hub's (killed before it could remove it) never stands for this one.
  clearHubReady(o.stateDir);
  try {
    await hub.start();
  } catch (err) {
    await hub.stop();
    throw new UserError(`the hub could not start (listening on ${listen}): ${(err as Error).message}`);
  }
  // Readiness for whoever started the hub: a file in its state dir (the port actually bound); a line for people.
  writeHubReady(o.stateDir, {
    port: hub.port,
    pid: process.pid,
    contract: CONTRACT_VERSION,
    adminSocket: hub.adminSocket,
  });
  process.stdout.write(`kubedos-hub ready port=${hub.port} admin=${hub.adminSocket}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  log.info('stopping');
  clearHubReady(o.stateDir);
  await hub.stop();
});
