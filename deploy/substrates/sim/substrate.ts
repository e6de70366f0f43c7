import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { UserError } from '../../../shared/errors.ts';
import { ensurePrivateDir } from '../../../shared/fs/atomic-write.ts';
import { ensureDeploymentSecrets, type DeploymentSecrets } from '../../../iso-builder/deployment-secrets.ts';
import { linkCurrentHub, unlinkCurrentHub } from '../../toolkit/current-hub.ts';
import {
  isOurs,
  readProcesses,
  recordProcesses,
  stopProcesses,
  type ProcessRecord,
} from '../../toolkit/process-table.ts';
import { runDir, type RunDir } from '../../toolkit/run-dir.ts';
import { spawnEntry, startHubEntry } from '../../toolkit/spawn-entry.ts';
import { hubArgs, writeNodeFiles } from '../../toolkit/node-files.ts';
import { adminHubControl, type HubControl } from '../../pipeline/hub-control.ts';
import { deployHere, type LocalSubstrate } from '../../pipeline/deploy-here.ts';
import type { Deployment } from '../../pipeline/pipeline.ts';
import type { LocalUpOptions } from '../../pipeline/up-options.ts';

export interface SimUpOptions extends LocalUpOptions {
  detach: boolean;
}

/**
 * The `sim` substrate: the hub and one minion process per topology node, all
 * on loopback, each minion with its own state dir, its own simulated
 * identity, and its own root directory for what its tasks write. No root
 * privileges needed. The real hub and minion code run unchanged.
 */
export async function simUp(opts: SimUpOptions): Promise<Deployment> {
  const started = Date.now();
  const run = runDir(opts.runRoot);
  const running = readProcesses(run.processes).filter((p) => isOurs(p.pid, run.root));
  if (running.length > 0) {
    throw new UserError(`deployment ${opts.topology.name} is already up in ${run.root}`, 'run "kubedos down" first');
  }
  ensurePrivateDir(run.root);
  fs.copyFileSync(opts.topologyFile, run.topologyCopy);
  const sim = new SimProcesses(opts, run);
  const result = await deployHere(sim, opts, started);
  if (opts.detach) sim.letGo();
  return { run, ...result, stop: () => sim.teardown() };
}

/**
 * The sim's part of the deploy pipeline: "build" makes the deployment's
 * secrets, "stamp" lays out each node's folder as a seed would, "boot"
 * starts the hub and then the minions, each recorded before `up` waits.
 */
class SimProcesses implements LocalSubstrate<DeploymentSecrets> {
  readonly name = 'sim';
  readonly lastStage = 'converge';
  private readonly children: Array<ProcessRecord & { child: ChildProcess }> = [];
  private readonly opts: SimUpOptions;
  private readonly run: RunDir;
  private secrets: DeploymentSecrets | undefined;

  constructor(opts: SimUpOptions, run: RunDir) {
    this.opts = opts;
    this.run = run;
  }

  async build(): Promise<DeploymentSecrets> {
    return ensureDeploymentSecrets(this.run.secrets, this.opts.topology);
  }

  /** Loopback needs no placing: the node folders are where the minions start from. */
  async place(secrets: DeploymentSecrets): Promise<void> {
    this.secrets = secrets;
  }

  async stamp(): Promise<void> {}

  async boot(): Promise<void> {
    const run = this.run;
    const { child: hub, ready } = await startHubEntry(
      hubArgs({
        stateDir: run.hubDir,
        topologyFile: run.topologyCopy,
        secrets: this.secrets!,
        listen: '127.0.0.1:0',
        // Every sim node comes from loopback: its sessions, and kubedos's own calls, share that one address.
        connectionsPerPeer: 2 * this.opts.topology.nodes.length + 16,
      }),
      { stateDir: run.hubDir, logFile: path.join(run.logs, 'hub.log'), detached: true },
    );
    this.children.push({ name: 'hub', pid: hub.pid!, child: hub });
    recordProcesses(run.processes, this.children);
    for (const node of this.opts.topology.nodes) {
      const configFile = writeNodeFiles(run.nodeDir(node.hostname), node.hostname, this.secrets!, {
        hub: `127.0.0.1:${ready.port}`,
        recordCommands: true,
        planes: 'off',
      });
      const minion = spawnEntry('minion/main.ts', ['--config', configFile], {
        logFile: path.join(run.logs, `${node.hostname}.log`),
        detached: true,
      });
      this.children.push({ name: node.hostname, pid: minion.pid!, child: minion });
    }
    recordProcesses(run.processes, this.children);
    linkCurrentHub(run.hubDir);
  }

  async hub(): Promise<HubControl> {
    return adminHubControl(this.run.hubDir);
  }

  /** `up --detach`: the processes go on after `up` returns. */
  letGo(): void {
    for (const c of this.children) {
      c.child.stdout?.destroy();
      c.child.unref();
    }
  }

  async teardown(): Promise<void> {
    await stopProcesses(this.children, this.run.root);
    fs.rmSync(this.run.processes, { force: true });
  }
}

/** Stops every process a local deployment recorded, and nothing else. */
export async function simDown(runRoot: string): Promise<number> {
  const run = runDir(runRoot);
  const stopped = await stopProcesses(readProcesses(run.processes), run.root);
  fs.rmSync(run.processes, { force: true });
  unlinkCurrentHub(run.root);
  return stopped;
}
