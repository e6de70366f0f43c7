import fs from 'node:fs';
import path from 'node:path';
import { userStateRoot } from '../../hub/cli/locate-hub.ts';
import { isOurs, readProcesses } from './process-table.ts';

export const LOCAL_SUBSTRATES = ['sim', 'nspawn', 'qemu', 'netns'] as const;
export type LocalSubstrate = (typeof LOCAL_SUBSTRATES)[number];

/** The file each substrate's `up` leaves in its run dir while the deployment is up (`down` removes it). */
const UP_MARKER: Record<LocalSubstrate, string> = {
  sim: 'processes.json',
  nspawn: 'nspawn.json',
  qemu: 'qemu.json',
  netns: 'netns.json',
};

export interface RunningDeployment {
  runRoot: string;
  substrate: LocalSubstrate;
}

/** Whether the deployment in runRoot is up on that substrate (sim: one of its processes still runs). */
export function isUp(runRoot: string, substrate: LocalSubstrate): boolean {
  const marker = path.join(runRoot, UP_MARKER[substrate]);
  if (!fs.existsSync(marker)) return false;
  if (substrate !== 'sim') return true;
  return readProcesses(marker).some((p) => isOurs(p.pid, runRoot));
}

/** Every local deployment that is up, under the default run dirs (`kubedos up` without --run-dir). */
export function runningDeployments(root = path.join(userStateRoot(), 'deployments')): RunningDeployment[] {
  if (!fs.existsSync(root)) return [];
  const found: RunningDeployment[] = [];
  for (const name of fs.readdirSync(root).sort()) {
    const runRoot = path.join(root, name);
    for (const substrate of LOCAL_SUBSTRATES) if (isUp(runRoot, substrate)) found.push({ runRoot, substrate });
  }
  return found;
}
