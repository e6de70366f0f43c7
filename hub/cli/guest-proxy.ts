import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import { GuestAgent } from '../../shared/guest-agent/qga-client.ts';

/**
 * In a hub dir on the host that stands for a hub inside a VM (the qemu lab):
 * the VM's guest agent socket and the hubctl to run there. hubctl on the
 * host then runs the same command in the master VM and prints what it said.
 */
export const GUEST_AGENT_FILE = 'guest-agent.json';

export interface GuestHubRef {
  /** The master VM's guest agent socket. */
  socket: string;
  /** hubctl in the guest: the hub executable's ctl mode. */
  hubctl: string[];
}

export function readGuestHubRef(hubDir: string): GuestHubRef | undefined {
  const file = path.join(hubDir, GUEST_AGENT_FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as GuestHubRef;
}

/** Runs hubctl's arguments in the guest; returns its exit code after writing its output here. */
export async function hubctlInGuest(ref: GuestHubRef, args: string[]): Promise<number> {
  if (args.includes('--watch'))
    throw new UserError('--watch does not go through the guest agent', 'run it without --watch, or in a loop');
  const command = args.filter((a) => !a.startsWith('-'));
  if (command[0] === 'hub' && command[1] === 'backup' && args.some((a) => a === '--out' || a.startsWith('--out=')))
    throw new UserError(
      '--out would write inside the master VM, not here: the guest agent brings no file back',
      'the storage node keeps a copy of every hub backup (/var/backups/kubedos/hub); or copy it from the master',
    );
  const agent = new GuestAgent(ref.socket);
  if (!fs.existsSync(ref.socket) || !(await agent.ping()))
    throw new UserError(`the master VM's guest agent does not answer (${ref.socket})`, 'is the deployment up?');
  const r = await agent.exec([...ref.hubctl, ...args], { timeoutMs: 30 * 60_000 });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.code;
}

/** hubctl's own arguments without --hub-dir (the guest's hub has its own), and the dir if one was given. */
export function splitHubDirArg(argv: string[]): { hubDir?: string; rest: string[] } {
  const rest: string[] = [];
  let hubDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--hub-dir') hubDir = argv[++i];
    else if (a.startsWith('--hub-dir=')) hubDir = a.slice('--hub-dir='.length);
    else rest.push(a);
  }
  return { ...(hubDir !== undefined ? { hubDir } : {}), rest };
}
