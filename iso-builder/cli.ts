import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultRunRoot } from '../deploy/local/run-dir.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../shared/topology/load.ts';
import { buildIsos, DEFAULT_HUB_BINARY, DEFAULT_MINION_BINARY } from './build.ts';
import { progressReporter } from './progress.ts';

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

interface BuildIsosFlags {
  topology: string;
  secrets?: string;
  out?: string;
  cache: string;
  minionBinary: string;
  hubBinary: string;
  sshKey: string;
  adminUser: string;
  extraDebs?: string;
  baseIso?: string;
  node?: string[];
  concurrency?: number;
  basePackages: boolean;
  json?: boolean;
}

/** `kubedos build-isos`: the lead adds this to deploy/cli/kubedos.ts with program.addCommand(buildIsosCommand()). */
export function buildIsosCommand(): Command {
  return new Command('build-isos')
    .description('build one installer ISO per node, sharing one signed darksite APT snapshot')
    .option('--topology <file>', 'topology YAML', DEFAULT_TOPOLOGY)
    .option('--secrets <dir>', 'deployment secrets folder (default: <state>/deployments/<name>-proxmox/secrets)')
    .option('--out <dir>', 'where the ISOs and manifest.json go (default: <state>/deployments/<name>-proxmox/isos)')
    .option(
      '--cache <dir>',
      'APT snapshot cache',
      path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kubedos', 'iso'),
    )
    .option('--minion-binary <file>', 'the kubedos-minion executable', DEFAULT_MINION_BINARY)
    .option('--hub-binary <file>', 'the kubedos-hub executable (master ISO)', DEFAULT_HUB_BINARY)
    .requiredOption('--ssh-key <file>', "the operator's SSH public key, for the admin user")
    .option('--admin-user <name>', 'admin login created on every node', 'kubedos')
    .option('--extra-debs <dir>', 'folder of .deb files not in Debian (kubelet, kubeadm, kubectl, grafana)')
    .option(
      '--base-iso <file>',
      'Debian netinst ISO to take the installer from (default: debian-installer-12-netboot-amd64)',
    )
    .option('--node <hostname...>', 'build only these nodes')
    .option('--concurrency <n>', 'ISOs built at once (default: CPU count, at least 2)', positive)
    .option('--no-base-packages', "leave Debian's required/important packages out of the snapshot")
    .addOption(new Option('--json', 'print the manifest as JSON on stdout'))
    .action(async (o: BuildIsosFlags) => {
      const name = loadTopology(o.topology).name;
      const root = defaultRunRoot(name, 'proxmox');
      const progress = progressReporter();
      try {
        const manifest = await buildIsos({
          topologyFile: o.topology,
          secretsDir: o.secrets ?? path.join(root, 'secrets'),
          outDir: o.out ?? path.join(root, 'isos'),
          cacheDir: o.cache,
          minionBinary: o.minionBinary,
          hubBinary: o.hubBinary,
          sshPublicKeyFile: o.sshKey,
          adminUser: o.adminUser,
          ...(o.extraDebs ? { extraDebsDir: o.extraDebs } : {}),
          ...(o.baseIso ? { baseIso: o.baseIso } : {}),
          ...(o.node ? { nodes: o.node } : {}),
          ...(o.concurrency ? { concurrency: o.concurrency } : {}),
          includeBase: o.basePackages,
          onProgress: progress.onProgress,
        });
        progress.stop();
        if (o.json) process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
        else {
          for (const iso of manifest.isos)
            process.stderr.write(`${iso.name}  ${iso.role}  ${iso.size} bytes  sha256 ${iso.sha256}\n`);
          const s = manifest.snapshot;
          process.stderr.write(
            `build-isos: ${manifest.isos.length} ISOs; snapshot ${s.key} (${s.packages} packages, ${s.cached ? 'cached' : `${s.downloaded} downloaded`})\n`,
          );
        }
      } finally {
        progress.stop();
      }
    });
}
