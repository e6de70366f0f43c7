import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_SOCKET_FILE } from '../admin/admin-token.ts';

/** Where a hub on a real master keeps its state (the ISO's kubedos-hub.service uses it). */
export const SYSTEM_HUB_DIR = '/var/lib/kubedos/hub';

/** Per-user state root for local substrates (`kubedos up`). */
export function userStateRoot(): string {
  return path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'kubedos');
}

/** A link to the hub dir of the deployment `kubedos up` started last, so hubctl needs no flags. */
export function currentHubLink(): string {
  return path.join(userStateRoot(), 'current-hub');
}

/**
 * The hub state dir hubctl talks to: --hub-dir, then $KUBEDOS_HUB_DIR, then
 * the system hub if one runs here, then the local deployment started last.
 */
export function locateHubDir(explicit?: string): { dir: string; how: string } {
  if (explicit) return { dir: path.resolve(explicit), how: '--hub-dir' };
  if (process.env.KUBEDOS_HUB_DIR) return { dir: path.resolve(process.env.KUBEDOS_HUB_DIR), how: 'KUBEDOS_HUB_DIR' };
  if (fs.existsSync(path.join(SYSTEM_HUB_DIR, ADMIN_SOCKET_FILE))) return { dir: SYSTEM_HUB_DIR, how: 'system hub' };
  const link = currentHubLink();
  if (fs.existsSync(link)) return { dir: fs.realpathSync(link), how: 'last kubedos up' };
  return { dir: SYSTEM_HUB_DIR, how: 'default' };
}
