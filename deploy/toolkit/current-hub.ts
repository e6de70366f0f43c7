import fs from 'node:fs';
import path from 'node:path';
import { currentHubLink } from '../../hub/cli/locate-hub.ts';

/** Points hubctl's current-hub link at the hub a local deployment just started. */
export function linkCurrentHub(hubDir: string): void {
  fs.rmSync(currentHubLink(), { force: true });
  fs.mkdirSync(path.dirname(currentHubLink()), { recursive: true });
  fs.symlinkSync(hubDir, currentHubLink());
}

/** Removes the current-hub link when it points into this deployment's run dir (never another's). */
export function unlinkCurrentHub(runRoot: string): void {
  const link = currentHubLink();
  let target: string;
  try {
    target = path.resolve(path.dirname(link), fs.readlinkSync(link));
  } catch {
    return; // no link
  }
  if (target === runRoot || target.startsWith(`${path.resolve(runRoot)}/`)) fs.rmSync(link, { force: true });
}
