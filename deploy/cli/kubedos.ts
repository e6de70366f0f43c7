import path from 'node:path';
import { Command, Option } from 'commander';
import { UserError } from '../../shared/errors.ts';
import { renderStatus } from '../../hub/cli/render-status.ts';
import { completionCommand } from '../../shared/cli/completion.ts';
import { duration } from '../../shared/cli/duration.ts';
import { runMain } from '../../shared/cli/run-main.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../../shared/topology/load.ts';
import { defaultRunRoot, LOCAL_SUBSTRATES, type SubstrateName } from '../toolkit/run-dir.ts';
import { isUp, runningDeployments } from '../toolkit/running-deployments.ts';
import { SUBSTRATES } from '../substrates/registry.ts';
import { DEPLOY_STAGES, stageToReach, type DeployStage } from '../pipeline/pipeline.ts';
import { buildMediaCommand } from '../media/media-command.ts';
import { buildKubernetesCommand } from '../media/kubernetes-command.ts';
import { proxmoxCommands } from '../substrates/proxmox/commands.ts';
import { takeEnvToken } from '../substrates/proxmox/env-token.ts';
import { readSshKey } from '../toolkit/ssh-key.ts';
import { reportUnfinishedRun } from '../../hub/cli/report-run.ts';
import { apiEndpoint } from '../../hub/plan/render/kubeadm.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { Topology } from '../../shared/topology/model.ts';

function substrateOption(): Option {
  return new Option(
    '--substrate <name>',
    `where the nodes run: ${LOCAL_SUBSTRATES.map((s) => `${s} (${SUBSTRATES[s].about})`).join(', ')}`,
  )
    .choices(LOCAL_SUBSTRATES)
    .default('sim');
}

runMain('kubedos', async () => {
  // Before anything is started: no child process inherits the Proxmox token.
  takeEnvToken();
  const program = new Command('kubedos')
    .description('Deploy a whole HA Kubernetes platform from one topology.')
    .version('0.1.0')
    .exitOverride();

  program
    .command('up')
    .description(
      'start a hub and every node of the topology on a local substrate, enroll them, and wait until all are connected',
    )
    .option('--topology <file>', 'topology YAML', DEFAULT_TOPOLOGY)
    .addOption(substrateOption())
    .option('--run-dir <dir>', 'where the deployment keeps its state, secrets and logs')
    .option('--detach', 'leave the deployment running in the background (stop it with "kubedos down")')
    .option('--timeout <duration>', 'how long to wait for every node to connect', duration, 180_000)
    .option('--window-ttl <duration>', 'how long the enrollment window stays open', duration, 15 * 60_000)
    .option('--no-converge', 'stop once every node is connected; do not converge (the same as --stage enroll)')
    .addOption(
      new Option('--stage <stage>', 'the last stage to go through (netns ends at enroll)').choices(DEPLOY_STAGES),
    )
    .option(
      '--extra-debs <dir>',
      'nspawn, qemu: .deb files not in Debian (kubeadm, kubelet, kubectl, grafana); without them those phases are skipped',
    )
    .option('--fresh', 'qemu: install every node again (new disks) instead of booting the installed ones')
    .option('--ssh-key <file>', "qemu: the operator's SSH public key, for an admin login (kubedos) on every VM")
    .option('--json', 'print the final status as JSON')
    .action(
      async (o: {
        fresh?: boolean;
        sshKey?: string;
        topology: string;
        substrate: SubstrateName;
        runDir?: string;
        detach?: boolean;
        timeout: number;
        windowTtl: number;
        converge: boolean;
        stage?: DeployStage;
        extraDebs?: string;
        json?: boolean;
      }) => {
        const substrate = SUBSTRATES[o.substrate];
        // Asked for a stage this substrate does not have: said before anything is made.
        const until = stageToReach({ ...(o.stage ? { until: o.stage } : {}), converge: o.converge }, substrate);
        const topology = loadTopology(o.topology);
        const admin = o.sshKey ? { user: 'kubedos', sshPublicKey: readSshKey(o.sshKey) } : undefined;
        const runRoot = o.runDir ?? defaultRunRoot(topology.name, o.substrate);
        const controller = new AbortController();
        const interrupt = () => controller.abort();
        process.on('SIGINT', interrupt);
        process.on('SIGTERM', interrupt);
        const deployment = await substrate.up({
          topology,
          topologyFile: o.topology,
          runRoot,
          timeoutMs: o.timeout,
          windowTtlMs: o.windowTtl,
          signal: controller.signal,
          quiet: !!o.json,
          until,
          detach: !!o.detach,
          fresh: !!o.fresh,
          ...(admin ? { admin } : {}),
          ...(o.extraDebs ? { extraDebsDir: o.extraDebs } : {}),
        });
        const status = deployment.status;
        let state = `stopped after stage ${deployment.reached} (--stage)`;
        if (!status) {
          if (o.json) process.stdout.write(JSON.stringify({ reached: deployment.reached }, null, 2) + '\n');
        } else {
          if (o.json) process.stdout.write(JSON.stringify(status, null, 2) + '\n');
          else process.stdout.write(renderStatus(status));
          // A run that did not end done: its failed and blocked tasks, last, and exit 3.
          const unfinished = reportUnfinishedRun(status.convergence, 'kubedos');
          if (unfinished) process.exitCode = 3;
          state = unfinished ? 'is up but did not converge' : 'is up';
          // Real nodes (not the sim's, not the netns's recorded hosts), converged: say where the cluster is.
          if (!unfinished && substrate.realNodes && deployment.reached === 'converge')
            process.stderr.write(kubernetesLine(topology, status));
        }
        if (o.detach) {
          process.stderr.write(
            `kubedos: ${topology.name} ${state} (run dir ${runRoot}); "hubctl status" to watch, "kubedos down" to stop\n`,
          );
          return;
        }
        process.stderr.write(
          `kubedos: ${topology.name} ${state}; "hubctl status" in another terminal; Ctrl-C stops it\n`,
        );
        await new Promise<void>((resolve) => {
          if (controller.signal.aborted) resolve();
          controller.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        process.stderr.write('kubedos: stopping\n');
        await deployment.stop();
      },
    );

  program
    .command('down')
    .description(
      'stop every process a local deployment started (state and logs are kept); without options, the one deployment that is up',
    )
    .option('--topology <file>', 'topology YAML (with --substrate: that deployment)')
    .addOption(substrateOption().default(undefined))
    .option('--run-dir <dir>', 'the deployment run dir')
    .action(async (o: { topology?: string; substrate?: SubstrateName; runDir?: string }) => {
      let runRoot: string;
      let substrate: SubstrateName;
      if (o.runDir || o.topology || o.substrate) {
        substrate = o.substrate ?? 'sim';
        runRoot = o.runDir ?? defaultRunRoot(loadTopology(o.topology ?? DEFAULT_TOPOLOGY).name, substrate);
        // A run dir says which substrate made it.
        if (o.runDir && !o.substrate) substrate = LOCAL_SUBSTRATES.find((s) => isUp(o.runDir!, s)) ?? 'sim';
      } else {
        const up = runningDeployments();
        if (up.length === 0) {
          process.stderr.write('kubedos: no local deployment is up\n');
          return;
        }
        if (up.length > 1)
          throw new UserError(
            `${up.length} deployments are up: ${up.map((d) => `${path.basename(d.runRoot)} (${d.substrate})`).join(', ')}`,
            'say which: kubedos down --run-dir DIR, or --topology FILE --substrate NAME',
          );
        ({ runRoot, substrate } = up[0]!);
      }
      process.stderr.write(`kubedos: ${await SUBSTRATES[substrate].down(runRoot)}\n`);
    });

  program.addCommand(buildMediaCommand());
  program.addCommand(buildKubernetesCommand());
  for (const c of proxmoxCommands()) program.addCommand(c);

  program.addCommand(completionCommand(program, 'kubedos'));
  await program.parseAsync();
});

/** Where the cluster is and how to use it, or why there is none (its kubeadm task skipped, with the reason). */
function kubernetesLine(t: Topology, status: StatusResponse__Output): string {
  const skipped = status.convergence?.skips.find((s) => {
    // A task id is "<node>/<name>" (hub/plan/model.ts taskId).
    const [node, name] = s.task.split('/');
    return (
      (name === 'kubeadm-init' || name === 'kubeadm-join') &&
      t.nodes.some((n) => n.role === 'cp' && n.hostname === node)
    );
  });
  if (skipped) return `kubedos: no Kubernetes cluster: ${skipped.task} was skipped (${skipped.reason})\n`;
  return `kubedos: Kubernetes API at https://${apiEndpoint(t)}; "hubctl kubeconfig" writes an admin kubeconfig for it (kubectl --kubeconfig kubeconfig get nodes)\n`;
}
