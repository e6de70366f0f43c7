import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import { ensurePrivateDir } from '../../shared/fs/atomic-write.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { ensureDeploymentSecrets, type DeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';
import { userStateRoot } from '../../hub/cli/locate-hub.ts';

/** The folder layout of one local deployment (sim or netns), all under one run dir. */
export interface RunDir {
  root: string;
  secrets: string;
  hubDir: string;
  logs: string;
  processes: string;
  nodeDir(node: string): string;
  topologyCopy: string;
}

export const LOCAL_SUBSTRATES = ['sim', 'nspawn', 'qemu', 'netns'] as const;
export type SubstrateName = (typeof LOCAL_SUBSTRATES)[number];

/** The file each substrate's `up` leaves in its run dir while the deployment is up (`down` removes it). */
const UP_MARKERS: Record<SubstrateName, string> = {
  sim: 'processes.json',
  nspawn: 'nspawn.json',
  qemu: 'qemu.json',
  netns: 'netns.json',
};

export function upMarker(run: RunDir, substrate: SubstrateName): string {
  return path.join(run.root, UP_MARKERS[substrate]);
}

export function defaultRunRoot(deployment: string, substrate: string): string {
  return path.join(userStateRoot(), 'deployments', `${deployment}-${substrate}`);
}

export function runDir(root: string): RunDir {
  return {
    root,
    secrets: path.join(root, 'secrets'),
    hubDir: path.join(root, 'hub'),
    logs: path.join(root, 'logs'),
    processes: path.join(root, UP_MARKERS.sim),
    nodeDir: (node) => path.join(root, 'nodes', node),
    topologyCopy: path.join(root, 'topology.yaml'),
  };
}

/**
 * Lays out a deployment's run dir for `up`: refused while the deployment's
 * lab file (or process table) says it is up; the topology copied in (the
 * hub reads that copy); the secrets made or kept.
 */
export async function prepareRun(
  opts: { runRoot: string; topology: Topology; topologyFile: string },
  substrate: SubstrateName,
): Promise<{ run: RunDir; secrets: DeploymentSecrets }> {
  const run = runDir(opts.runRoot);
  if (fs.existsSync(upMarker(run, substrate))) {
    throw new UserError(
      `deployment ${opts.topology.name} is already up in ${run.root}`,
      `run "kubedos down --substrate ${substrate}" first`,
    );
  }
  ensurePrivateDir(run.root);
  fs.copyFileSync(opts.topologyFile, run.topologyCopy);
  return { run, secrets: await ensureDeploymentSecrets(run.secrets, opts.topology) };
}
