import fs from 'node:fs';
import path from 'node:path';
import { userStateRoot } from '../../hub/cli/locate-hub.ts';
import { isOurs, readProcesses } from './process-table.ts';
import { LOCAL_SUBSTRATES, runDir, upMarker, type SubstrateName } from './run-dir.ts';

export interface RunningDeployment {
  runRoot: string;
  substrate: SubstrateName;
}

/** Whether the deployment in runRoot is up on that substrate (sim: one of its processes still runs). */
export function isUp(runRoot: string, substrate: SubstrateName): boolean {
  const marker = upMarker(runDir(runRoot), substrate);
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
