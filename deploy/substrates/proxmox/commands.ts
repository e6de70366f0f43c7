import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { renderStatus } from '../../../hub/cli/render-status.ts';
import { duration } from '../../../shared/cli/duration.ts';
import { UserError } from '../../../shared/errors.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../../../shared/topology/load.ts';
import { defaultRunRoot } from '../../toolkit/run-dir.ts';
import { readSshKey } from '../../toolkit/ssh-key.ts';
import { reportUnfinishedRun } from '../../../hub/cli/report-run.ts';
import { parseStage } from '../../pipeline/pipeline.ts';
import { apiFor, proxmoxDeploy, type DeployOptions, type DeployReport } from './proxmox-deploy.ts';
import { proxmoxDestroy } from './proxmox-destroy.ts';
import { deployerPaths, deployerPrivileges, pveumCommands } from './privileges.ts';

interface ApiFlags {
  topology: string;
  endpoint?: string;
  fingerprint?: string;
  caFile?: string;
  tokenFile?: string;
  json?: boolean;
}

const withApiFlags = (c: Command) =>
  c
    .option('--topology <file>', 'topology YAML', DEFAULT_TOPOLOGY)
    .option(
      '--token-file <file>',
      'the API token (USER@REALM!TOKENID=SECRET, mode 0600); default: $KUBEDOS_PROXMOX_TOKEN',
    )
    .option('--endpoint <url>', 'the API, overriding proxmox.endpoint (https://HOST:8006)')
    .option('--fingerprint <sha256>', "the API certificate's SHA-256 fingerprint, overriding proxmox.fingerprint")
    .option('--ca-file <pem>', "the cluster's pve-root-ca.pem, overriding proxmox.caFile")
    .option('--json', 'machine-readable output on stdout');

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('a whole number from 1 to 64');
  return n;
}

const timeoutOption = (what: string) =>
  new Option('--timeout <duration>', what).argParser(duration).default(45 * 60_000, '45m');

/** Ctrl-C and SIGTERM end the run at the next step, with what was done kept (a re-run carries on). */
function interruptible(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

function settings(o: ApiFlags) {
  return {
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.fingerprint ? { fingerprint: o.fingerprint } : {}),
    ...(o.caFile ? { caFile: o.caFile } : {}),
    ...(o.tokenFile ? { tokenFile: o.tokenFile } : {}),
  };
}

/** What deploy and redeploy both take from their flags. */
function deployOptions(
  o: ApiFlags & { runDir?: string; timeout: number },
  run: Pick<DeployOptions, 'until' | 'dryRun' | 'concurrency'>,
): DeployOptions {
  const topology = loadTopology(o.topology);
  return {
    topology,
    topologyFile: o.topology,
    runRoot: o.runDir ?? defaultRunRoot(topology.name, 'proxmox'),
    api: apiFor(topology, o.topology, settings(o)),
    ...run,
    signal: interruptible(),
    timeoutMs: o.timeout,
    windowTtlMs: o.timeout,
    quiet: !!o.json,
  };
}

export function renderDeployReport(r: DeployReport): string {
  const table = new Table({
    head: ['node', 'vmid', 'pve node', r.dryRun ? 'would' : 'did', 'boot', 'drift'],
    style: { head: [] },
  });
  for (const v of r.vms)
    table.push([
      v.node,
      v.vmid,
      v.pveNode,
      v.action,
      v.boot ?? '-',
      v.drift.map((d) => `${d.key}${d.rebuild ? ' (redeploy)' : ''}`).join(', ') || '-',
    ]);
  const up = r.uploads.filter((u) => u.uploaded).length;
  const lines = [
    table.toString(),
    `${r.deployment}: stage ${r.reached}${r.dryRun ? ' (dry run: nothing written)' : ''}; API: ${r.api.reads} reads, ${r.api.writes} writes, ${r.api.agent} agent calls, ${r.api.retries} retries; ${up} upload${up === 1 ? '' : 's'} (${(r.api.bytesUploaded / 2 ** 20).toFixed(1)} MiB)`,
  ];
  if (r.dryRun) for (const v of r.vms) for (const q of v.qm) lines.push(q);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

export function proxmoxCommands(): Command[] {
  const deploy = withApiFlags(
    new Command('deploy').description(
      'build the artifact and stamp the topology onto Proxmox VE over its API: upload, create the VMs, boot, enroll, converge',
    ),
  )
    .option('--stage <stage>', 'stop after this stage: build, upload, stamp, boot, enroll or converge', 'converge')
    .option('--dry-run', 'say per VM create / update / unchanged, with the equivalent qm lines; write nothing')
    .option('--concurrency <n>', 'VMs created at once per storage', positive, 4)
    .option('--run-dir <dir>', "where the deployment's secrets and media are kept")
    .addOption(timeoutOption('how long to wait for every node to enroll'))
    .option('--extra-debs <dir>', '.deb files not in Debian (kubeadm, kubelet, kubectl, grafana)')
    .option('--ssh-key <file>', "the operator's SSH public key, for an admin login (kubedos) on every VM")
    .action(
      async (
        o: ApiFlags & {
          stage: string;
          dryRun?: boolean;
          concurrency: number;
          runDir?: string;
          timeout: number;
          extraDebs?: string;
          sshKey?: string;
        },
      ) => {
        const until = parseStage(o.stage);
        const report = await proxmoxDeploy({
          ...deployOptions(o, { until, dryRun: !!o.dryRun, concurrency: o.concurrency }),
          ...(o.extraDebs ? { extraDebsDir: o.extraDebs } : {}),
          ...(o.sshKey ? { admin: { user: 'kubedos', sshPublicKey: readSshKey(o.sshKey) } } : {}),
        });
        output(report, o.json);
      },
    );

  const redeploy = withApiFlags(
    new Command('redeploy')
      .argument('<node...>', 'the nodes to replace')
      .description(
        'if it breaks, replace it: revoke the node on the hub, destroy its VM, make it again from the same artifact, enroll and converge it',
      ),
  )
    .option('--run-dir <dir>', "where the deployment's secrets and media are kept")
    .option('--stage <stage>', 'stop after this stage: build, upload, stamp, boot, enroll or converge', 'converge')
    .option(
      '--backup <file>',
      "the master: the hub backup its hub starts from (hubctl hub backup --out); otherwise the old master's hub takes one, or the newest copy is found",
    )
    .addOption(timeoutOption('how long to wait for the nodes to enroll'))
    .action(
      async (nodes: string[], o: ApiFlags & { runDir?: string; timeout: number; stage: string; backup?: string }) => {
        const report = await proxmoxDeploy({
          ...deployOptions(o, { until: parseStage(o.stage), dryRun: false, concurrency: 4 }),
          only: nodes,
          ...(o.backup ? { backup: o.backup } : {}),
        });
        output(report, o.json);
      },
    );

  const destroy = withApiFlags(
    new Command('destroy').description(
      "stop and purge exactly this deployment's VMs and media on Proxmox (nothing else is touched)",
    ),
  )
    .option('--yes', 'really destroy (without it, only say what would go)')
    .action(async (o: ApiFlags & { yes?: boolean }) => {
      const topology = loadTopology(o.topology);
      const api = apiFor(topology, o.topology, settings(o));
      const r = await proxmoxDestroy({
        topology,
        api,
        yes: !!o.yes,
        signal: interruptible(),
        say: (s) => (o.json ? undefined : process.stderr.write(`kubedos: ${s}\n`)),
      });
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else if (!r.destroyed) {
        process.stdout.write(
          r.vms.length
            ? `would destroy ${r.vms.map((v) => `${v.name} (${v.node}/${v.vmid})`).join(', ')} and ${topology.name}'s media\n`
            : `${topology.name} has no VMs on this cluster\n`,
        );
      } else process.stdout.write(`destroyed ${r.vms.length} VMs and ${r.media.length} media of ${topology.name}\n`);
      if (!r.destroyed && r.vms.length) throw new UserError('nothing was destroyed', 'run it again with --yes');
    });
  const role = new Command('proxmox-role')
    .description(
      "print the pveum commands that give kubedos exactly the privileges it uses, on this topology's VMs, storages and bridge only",
    )
    .option('--topology <file>', 'topology YAML', DEFAULT_TOPOLOGY)
    .addOption(new Option('--pve <major>', 'Proxmox VE major version').choices(['8', '9']).default('9'))
    .option('--user <user@realm>', 'the user the token belongs to', 'kubedos@pve')
    .option('--json', 'the privileges and paths as JSON')
    .action((o: { topology: string; pve: string; user: string; json?: boolean }) => {
      const topology = loadTopology(o.topology);
      const major = Number(o.pve);
      if (!/^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+$/.test(o.user))
        throw new UserError(`--user ${JSON.stringify(o.user)} is not USER@REALM`, 'for example kubedos@pve');
      if (o.json)
        process.stdout.write(
          JSON.stringify({ privileges: deployerPrivileges(major), paths: deployerPaths(topology) }, null, 2) + '\n',
        );
      else process.stdout.write(pveumCommands(topology, major, o.user).join('\n') + '\n');
    });
  return [deploy, redeploy, destroy, role];
}

function output(report: DeployReport, json?: boolean): void {
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(renderDeployReport(report));
    if (report.status) process.stdout.write(renderStatus(report.status));
  }
  const rebuild = report.vms.filter((v) => v.action === 'rebuild needed');
  if (rebuild.length) {
    process.stderr.write(
      `kubedos: drift that needs a new VM: kubedos redeploy ${rebuild.map((v) => v.node).join(' ')}\n`,
    );
    process.exitCode = 3;
  }
  // On the master, hubctl is `kubedos-hub ctl`.
  if (report.reached === 'converge' && reportUnfinishedRun(report.status?.convergence, 'kubedos', 'kubedos-hub ctl'))
    process.exitCode = 3;
}
