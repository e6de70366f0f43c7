import fs from 'node:fs';
import path from 'node:path';
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
}): string[] {
  return [
    '--state-dir', opts.stateDir,
    '--topology', opts.topologyFile,
    '--inventory', opts.secrets.inventoryPath,
    '--tls-ca-cert', opts.secrets.hubCaCertPath,
    '--tls-ca-key', opts.secrets.hubCaKeyPath,
    '--listen', opts.listen,
    ...(opts.secrets.backupRecipientPath ? ['--backup-recipient', opts.secrets.backupRecipientPath] : []),
    ...(opts.connectionsPerPeer ? ['--connections-per-peer', String(opts.connectionsPerPeer)] : []),
    ...(opts.streamsPerConnection ? ['--streams-per-connection', String(opts.streamsPerConnection)] : []),
  ]; // prettier-ignore
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
