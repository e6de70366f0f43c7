import path from 'node:path';
import { Command } from 'commander';
import { UserError } from '../../shared/errors.ts';
import { readSshKey } from '../toolkit/ssh-key.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../../shared/topology/load.ts';
import { defaultRunRoot } from '../toolkit/run-dir.ts';
import { buildDeploymentMedia } from './build-media.ts';

interface Flags {
  topology: string;
  secrets?: string;
  out?: string;
  extraDebs?: string;
  node?: string[];
  sshKey?: string;
  adminUser: string;
  json?: boolean;
}

/** `kubedos build-media`: the platform ISO and every node's seed, for the Proxmox path (or any hypervisor). */
export function buildMediaCommand(): Command {
  return new Command('build-media')
    .description('build the platform ISO (one for every node) and one small seed ISO per node')
    .option('--topology <file>', 'topology YAML', DEFAULT_TOPOLOGY)
    .option('--secrets <dir>', 'deployment secrets folder (default: <state>/deployments/<name>-proxmox/secrets)')
    .option(
      '--out <dir>',
      'where the ISO, the seeds and manifest.json go (default: <state>/deployments/<name>-proxmox/media)',
    )
    .option(
      '--extra-debs <dir>',
      'folder of .deb files not in Debian (kubelet, kubeadm, kubectl, kubedos-images, grafana)',
    )
    .option('--node <hostname...>', 'seeds for these nodes only')
    .option('--ssh-key <file>', "the operator's SSH public key: every node gets an admin login with it (and sudo)")
    .option('--admin-user <name>', 'that admin login', 'kubedos')
    .option('--json', 'print the manifest as JSON on stdout')
    .action(async (o: Flags) => {
      if (process.getuid?.() !== 0)
        throw new UserError('building the platform image needs root (mmdebstrap --mode=root)', 'run it with sudo');
      const topology = loadTopology(o.topology);
      for (const n of o.node ?? [])
        if (!topology.nodes.some((x) => x.hostname === n)) throw new UserError(`no node ${n} in ${o.topology}`);
      const sshPublicKey = o.sshKey ? readSshKey(o.sshKey) : undefined;
      const root = defaultRunRoot(topology.name, 'proxmox');
      const outDir = path.resolve(o.out ?? path.join(root, 'media'));
      const media = await buildDeploymentMedia({
        topology,
        topologyFile: o.topology,
        secretsDir: o.secrets ?? path.join(root, 'secrets'),
        outDir,
        ...(o.extraDebs ? { extraDebsDir: o.extraDebs } : {}),
        ...(o.node ? { nodes: o.node } : {}),
        ...(sshPublicKey ? { admin: { user: o.adminUser, sshPublicKey } } : {}),
        quiet: !!o.json,
        onStep: (s) => process.stderr.write(`build-media: ${s}\n`),
      });
      const manifest = {
        deployment: topology.name,
        iso: { file: media.iso.iso, sha256: media.iso.sha256, bytes: media.iso.bytes, cached: media.iso.cached },
        seeds: media.seeds,
        seconds: media.seconds,
      };
      writeFileAtomic(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', 0o644);
      if (o.json) process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
      else {
        process.stderr.write(`${path.basename(media.iso.iso)}  ${media.iso.bytes} bytes  sha256 ${media.iso.sha256}\n`);
        for (const s of media.seeds) process.stderr.write(`${path.basename(s.file)}  ${s.bytes} bytes  MAC ${s.mac}\n`);
        const total = media.iso.bytes + media.seeds.reduce((a, s) => a + s.bytes, 0);
        process.stderr.write(
          `build-media: ${(total / 2 ** 20).toFixed(0)} MiB for ${media.seeds.length} nodes, in ${outDir}\n`,
        );
      }
    });
}
