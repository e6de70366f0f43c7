/** Where an operator may give the Proxmox API token instead of --token-file. */
export const TOKEN_ENV = 'KUBEDOS_PROXMOX_TOKEN';

let taken: string | undefined;

/**
 * The token from KUBEDOS_PROXMOX_TOKEN, taken out of this process's
 * environment the moment it is read (kubedos reads it first thing), so no
 * child kubedos starts (mmdebstrap, xorriso, qemu, ssh, the hub's and the
 * minions' processes) inherits it. Kept in memory for the API client.
 */
export function takeEnvToken(): string | undefined {
  const now = process.env[TOKEN_ENV];
  if (now !== undefined) {
    taken = now;
    delete process.env[TOKEN_ENV];
  }
  return taken;
}
