import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { linkCurrentHub, unlinkCurrentHub } from '../local/current-hub.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { UserError } from '../../shared/errors.ts';
import { ensurePrivateDir } from '../../shared/fs/atomic-write.ts';
import { ensureDeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';
import { isOurs, readProcesses, recordProcesses, stopProcesses, type ProcessRecord } from '../local/process-table.ts';
import { runDir, type RunDir } from '../local/run-dir.ts';
import { spawnEntry, startHubEntry } from '../local/spawn-entry.ts';
import { hubArgs, writeNodeFiles } from '../local/node-files.ts';
import { enrollAndConverge } from '../local/wait-for-nodes.ts';
import type { LocalUpOptions } from '../local/up-options.ts';

export interface SimUpOptions extends LocalUpOptions {
  detach: boolean;
}

export interface LocalDeployment {
  run: RunDir;
  status: StatusResponse__Output;
  hubPort: number;
  stop(): Promise<void>;
}

/**
 * The `sim` substrate: the hub and one minion process per topology node, all
 * on loopback, each minion with its own state dir, its own simulated
 * identity, and its own root directory for what its tasks write. No root
 * privileges needed. The real hub and minion code run unchanged.
 */
export async function simUp(opts: SimUpOptions): Promise<LocalDeployment> {
  const run = runDir(opts.runRoot);
  const running = readProcesses(run.processes).filter((p) => isOurs(p.pid, run.root));
  if (running.length > 0) {
    throw new UserError(`deployment ${opts.topology.name} is already up in ${run.root}`, 'run "kubedos down" first');
  }
  ensurePrivateDir(run.root);
  fs.copyFileSync(opts.topologyFile, run.topologyCopy);
  const secrets = await ensureDeploymentSecrets(run.secrets, opts.topology);
  const children: Array<ProcessRecord & { child: ChildProcess }> = [];
  const stop = async () => {
    await stopProcesses(children, run.root);
    fs.rmSync(run.processes, { force: true });
  };
  try {
    const hubLog = path.join(run.logs, 'hub.log');
    const { child: hub, ready } = await startHubEntry(
      hubArgs({
        stateDir: run.hubDir,
        topologyFile: run.topologyCopy,
        secrets,
        listen: '127.0.0.1:0',
        // Every sim node comes from loopback: its sessions, and kubedos's own calls, share that one address.
        connectionsPerPeer: 2 * opts.topology.nodes.length + 16,
      }),
      { stateDir: run.hubDir, logFile: hubLog, detached: true },
    );
    children.push({ name: 'hub', pid: hub.pid!, child: hub });
    recordProcesses(run.processes, children);
    const hubPort = ready.port;

    for (const node of opts.topology.nodes) {
      const configFile = writeNodeFiles(run.nodeDir(node.hostname), node.hostname, secrets, {
        hub: `127.0.0.1:${hubPort}`,
        recordCommands: true,
        planes: 'off',
      });
      const minion = spawnEntry('minion/main.ts', ['--config', configFile], {
        logFile: path.join(run.logs, `${node.hostname}.log`),
        detached: true,
      });
      children.push({ name: node.hostname, pid: minion.pid!, child: minion });
    }
    recordProcesses(run.processes, children);
    linkCurrentHub(run.hubDir);

    const { status } = await enrollAndConverge(run.hubDir, opts);
    if (opts.detach) {
      for (const c of children) {
        c.child.stdout?.destroy();
        c.child.unref();
      }
    }
    return { run, status, hubPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Stops every process a local deployment recorded, and nothing else. */
export async function localDown(runRoot: string): Promise<number> {
  const run = runDir(runRoot);
  const stopped = await stopProcesses(readProcesses(run.processes), run.root);
  fs.rmSync(run.processes, { force: true });
  unlinkCurrentHub(run.root);
  return stopped;
}
