/**
 * Bringing a plane up from its rendered config file. Two strategies, one
 * config: on a real Debian node `wg-quick` via systemd (enabled, so planes
 * return after a reboot); where the kernel has no WireGuard, wireguard-go
 * plus `wg setconf` on the stripped config plus `ip`. Live peer changes go
 * through `wg syncconf` in both, which adds, changes and removes peers
 * without disturbing the ones that stay.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { addressOf, peerRoutes, stripWgQuickKeys } from './render-wg-config.ts';
import type { CommandRunner } from './command-runner.ts';

export type BringUpMode = 'wg-quick' | 'wireguard-go';

export interface PlaneBringUp {
  readonly mode: BringUpMode;
  /** Idempotent: brings the interface up or, when it is up, makes it match the file. */
  up(iface: string, confFile: string): Promise<void>;
  down(iface: string): Promise<void>;
}

export async function interfaceExists(run: CommandRunner, iface: string): Promise<boolean> {
  return (await run(['ip', 'link', 'show', 'dev', iface], { reject: false })).exitCode === 0;
}

/**
 * `wg syncconf` on the stripped config. wg opens its argument with fopen, which
 * fails on the socket Node gives a child as stdin, so the stripped text goes
 * through a 0600 file beside the config (its directory is 0700) and is removed.
 */
async function syncconf(run: CommandRunner, iface: string, confFile: string): Promise<void> {
  const stripped = path.join(path.dirname(confFile), `.${iface}.stripped`);
  writeFileAtomic(stripped, stripWgQuickKeys(fs.readFileSync(confFile, 'utf8')), 0o600);
  try {
    await run(['wg', 'syncconf', iface, stripped]);
  } finally {
    fs.rmSync(stripped, { force: true });
  }
  await routePeers(run, iface, confFile);
}

/** A route via the interface for each peer network outside its own (wg-quick makes these only at its start). */
async function routePeers(run: CommandRunner, iface: string, confFile: string): Promise<void> {
  for (const cidr of peerRoutes(fs.readFileSync(confFile, 'utf8')))
    await run(['ip', 'route', 'replace', cidr, 'dev', iface]);
}

export function wireguardGoBringUp(run: CommandRunner): PlaneBringUp {
  return {
    mode: 'wireguard-go',
    async up(iface, confFile) {
      const text = fs.readFileSync(confFile, 'utf8');
      // wireguard-go daemonises once the interface exists, so it outlives a minion restart.
      if (!(await interfaceExists(run, iface))) await run(['wireguard-go', iface]);
      await run(['ip', 'address', 'replace', addressOf(text), 'dev', iface]);
      await run(['ip', 'link', 'set', 'dev', iface, 'up']);
      // Peers last, on a running device: a peer with a keepalive then handshakes at once.
      await syncconf(run, iface, confFile);
    },
    async down(iface) {
      // Deleting the tun device makes wireguard-go exit; wait until its control socket is gone too,
      // so an immediate up() starts a fresh daemon instead of talking to the dying one.
      await run(['ip', 'link', 'del', 'dev', iface], { reject: false });
      for (let i = 0; i < 100; i++) {
        if ((await run(['wg', 'show', iface], { reject: false })).exitCode !== 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`wireguard-go for ${iface} did not exit after its interface was deleted`);
    },
  };
}

export function wgQuickBringUp(run: CommandRunner): PlaneBringUp {
  return {
    mode: 'wg-quick',
    async up(iface, confFile) {
      // Enabled for the next boot only: no daemon-reload (systemd knows the template unit already, and
      // rereading every unit and generator costs seconds per plane on a slow node), then started now.
      await run(['systemctl', 'enable', '--no-reload', `wg-quick@${iface}`]);
      if (await interfaceExists(run, iface)) await syncconf(run, iface, confFile);
      else {
        await run(['systemctl', 'start', `wg-quick@${iface}`]);
        await routePeers(run, iface, confFile);
      }
    },
    async down(iface) {
      await run(['systemctl', 'disable', '--now', `wg-quick@${iface}`], { reject: false });
    },
  };
}

/**
 * wg-quick when the kernel has WireGuard and systemd runs; wireguard-go
 * otherwise. The kernel has it when the module is loaded, or installed for
 * this kernel (modinfo: a confined hub may not load modules, but wg-quick,
 * run by systemd, will), or loads now.
 */
export async function detectBringUpMode(run: CommandRunner): Promise<BringUpMode> {
  const kernel =
    fs.existsSync('/sys/module/wireguard') ||
    (await run(['modinfo', '--field', 'filename', 'wireguard'], { reject: false })).exitCode === 0 ||
    (await run(['modprobe', 'wireguard'], { reject: false })).exitCode === 0;
  return kernel && fs.existsSync('/run/systemd/system') ? 'wg-quick' : 'wireguard-go';
}

export function bringUpFor(mode: BringUpMode, run: CommandRunner): PlaneBringUp {
  return mode === 'wg-quick' ? wgQuickBringUp(run) : wireguardGoBringUp(run);
}
