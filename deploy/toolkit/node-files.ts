import fs from 'node:fs';
import path from 'node:path';
import { hubCommandArgs, type HubCommand } from '../../shared/cli/hub-command.ts';
import { ensurePrivateDir, writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { MinionConfigFile } from '../../shared/identity/files.ts';
import type { DeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';

/** The hub's command line for a local deployment: state, topology, inventory and TLS from the secrets folder. */
export function hubArgs(opts: {
  stateDir: string;
  topologyFile: string;
  secrets: Pick<DeploymentSecrets, 'inventoryPath' | 'hubCaCertPath' | 'hubCaKeyPath'> &
    Partial<Pick<DeploymentSecrets, 'backupRecipientPath'>>;
  listen: string;
  /** Where every node shares one address (the sim's loopback), the hub must allow that many connections from it. */
  connectionsPerPeer?: number;
  /** Benchmarks that put many calls on one connection raise the hub's limit of calls per connection. */
  streamsPerConnection?: number;
  /** The netns substrate: real planes (wireguard-go), their files under the master's own root. */
  planes?: HubCommand['planes'];
  root?: string;
}): string[] {
  return hubCommandArgs({
    stateDir: opts.stateDir,
    topology: opts.topologyFile,
    inventory: opts.secrets.inventoryPath,
    tlsCaCert: opts.secrets.hubCaCertPath,
    tlsCaKey: opts.secrets.hubCaKeyPath,
    listen: opts.listen,
    ...(opts.secrets.backupRecipientPath ? { backupRecipient: opts.secrets.backupRecipientPath } : {}),
    ...(opts.connectionsPerPeer ? { connectionsPerPeer: opts.connectionsPerPeer } : {}),
    ...(opts.streamsPerConnection ? { streamsPerConnection: opts.streamsPerConnection } : {}),
    ...(opts.planes ? { planes: opts.planes } : {}),
    ...(opts.root ? { root: opts.root } : {}),
  });
}

/**
 * Lays out one local node's folder the way an ISO lays out a real node:
 * its own copy of its enrollment credential (0600) and a minion config
 * pointing at the hub, with state and root directories inside the folder.
 * Returns the config file's path.
 */
export function writeNodeFiles(
  dir: string,
  node: string,
  secrets: Pick<DeploymentSecrets, 'identityPath' | 'hubCaPem'>,
  settings: Pick<MinionConfigFile, 'hub'> & Partial<MinionConfigFile>,
): string {
  ensurePrivateDir(dir);
  const identityFile = path.join(dir, 'identity.json');
  fs.copyFileSync(secrets.identityPath(node), identityFile);
  fs.chmodSync(identityFile, 0o600);
  const config: MinionConfigFile = {
    hubCaPem: secrets.hubCaPem,
    identityFile,
    stateDir: path.join(dir, 'state'),
    useSmbios: false,
    root: path.join(dir, 'root'),
    ...settings,
  };
  const configFile = path.join(dir, 'minion.json');
  writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n', 0o600);
  return configFile;
}
