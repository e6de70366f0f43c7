import { Command } from 'commander';
import { runMain } from '../shared/cli/run-main.ts';
import { readInputFile, readKeyFile } from '../shared/fs/read-input.ts';
import { loadTopology } from '../shared/topology/load.ts';
import { openHubBackup, restoreHubState } from './backup/restore-hub-state.ts';
import { HUB_VERSION } from './version.ts';

/**
 * `kubedos-hub restore`: a new master's hub state from a backup, before its
 * hub starts. Everything is checked first (the recovery key opens it, it is
 * this deployment's, its database is whole); then the files are written,
 * the database last. The nodes then reconnect with the identities they have.
 */
runMain('kubedos-hub restore', async () => {
  const program = new Command('kubedos-hub restore')
    .description("Restore a hub's state from a backup (hubctl hub backup), onto a new master before its hub starts.")
    .version(HUB_VERSION)
    .requiredOption(
      '--state-dir <dir>',
      'the hub state dir to restore into (it must hold no database, unless --replace)',
    )
    .requiredOption('--topology <file>', 'the deployment topology (the backup must be of this deployment)')
    .requiredOption('--backup <file>', 'the sealed backup (.kdbackup)')
    .requiredOption('--recovery-key <file>', "the deployment's recovery key (run-dir/secrets/recovery.key)")
    .requiredOption('--tls-ca-cert <file>', "the hub's TLS CA certificate: the backup must be signed by it")
    .option('--replace', 'move a present hub state aside (<state-dir>.before-restore-<time>) and restore over it')
    .option('--json', 'machine-readable output')
    .exitOverride();
  program.parse();
  const o = program.opts<{
    stateDir: string;
    topology: string;
    backup: string;
    recoveryKey: string;
    tlsCaCert: string;
    replace?: boolean;
    json?: boolean;
  }>();
  const topology = loadTopology(o.topology);
  const key = readKeyFile('recovery key', o.recoveryKey);
  const bundle = openHubBackup(
    readInputFile('backup', o.backup),
    key,
    topology.name,
    readInputFile('TLS CA certificate', o.tlsCaCert).toString('utf8'),
  );
  const r = restoreHubState(o.stateDir, bundle, { replace: !!o.replace });
  const result = {
    stateDir: o.stateDir,
    takenAtMs: bundle.takenAtMs,
    files: r.files,
    movedAside: r.movedAside ?? null,
  };
  if (o.json) process.stdout.write(JSON.stringify(result) + '\n');
  else
    process.stdout.write(
      `restored the hub state of ${new Date(bundle.takenAtMs).toISOString()} into ${o.stateDir} (${r.files} files)` +
        `${r.movedAside ? `; what was there is in ${r.movedAside}` : ''}\n`,
    );
});
