/**
 * Probes of the planes as a node sees them, run through that node's command
 * runner (its namespace, its private /run/wireguard): whether an address
 * answers, and what WireGuard knows about its peers. A reply is waited for
 * (WireGuard queues the first packets while it handshakes); "unreachable"
 * means no reply within the deadline.
 */
import type { CommandRunner } from '../../../shared/planes/command-runner.ts';
import { parseWgDump, type WgInterfaceStatus } from '../../../shared/planes/wg-show.ts';

export async function pingFrom(
  run: CommandRunner,
  address: string,
  opts: { source?: string; deadlineSeconds?: number } = {},
): Promise<boolean> {
  const argv = ['ping', '-n', '-q', '-c', '1', '-w', String(opts.deadlineSeconds ?? 5)];
  if (opts.source) argv.push('-I', opts.source);
  argv.push(address);
  return (await run(argv, { reject: false })).exitCode === 0;
}

export async function wgStatus(run: CommandRunner, iface: string): Promise<WgInterfaceStatus | undefined> {
  const r = await run(['wg', 'show', iface, 'dump'], { reject: false });
  return r.exitCode === 0 ? parseWgDump(r.stdout) : undefined;
}
