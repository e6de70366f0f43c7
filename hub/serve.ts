import { hubMetricsAddress } from './metrics/metrics-address.ts';
import { Command, Option } from 'commander';
import { HUB_FLAGS, type HubCommand } from '../shared/cli/hub-command.ts';
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

/** The listener's limits are the hub's own: their defaults are said here. */
const LIMIT_DEFAULTS: Partial<Record<keyof HubCommand, number>> = {
  connectionsPerPeer: DEFAULT_CONNECTION_LIMITS.perPeer,
  streamsPerConnection: DEFAULT_CONNECTION_LIMITS.streamsPerConnection,
};

runMain('kubedos-hub', async () => {
  const program = new Command('kubedos-hub')
    .description('The kubedos hub: enrollment, plane addressing, sessions and convergence for one deployment.')
    .version(HUB_VERSION)
    .exitOverride();
  for (const f of HUB_FLAGS) {
    const limit = LIMIT_DEFAULTS[f.key];
    const option = new Option(f.flag, limit === undefined ? f.help : `${f.help} (default ${limit})`);
    if (f.required) option.makeOptionMandatory();
    if (f.parse) option.argParser(f.parse);
    if (f.choices) option.choices(f.choices);
    if (f.default !== undefined) option.default(f.default);
    program.addOption(option);
  }
  program.parse();
  const o = program.opts<
    HubCommand & Required<Pick<HubCommand, 'planes' | 'root' | 'backupEveryMinutes' | 'heartbeatMs'>>
  >();
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
