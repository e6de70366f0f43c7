import { Command } from 'commander';
import { completionCommand } from '../../shared/cli/completion.ts';
import { runMain } from '../../shared/cli/run-main.ts';
import { inert } from '../../shared/text/inert.ts';
import { HUB_VERSION } from '../version.ts';
import { AdminConnection } from './admin-client.ts';
import type { CommandIo } from './command-io.ts';
import { addConvergeCommands } from './converge-commands.ts';
import { addEnrollmentCommands } from './enrollment-commands.ts';
import { addEtcdCommands } from './etcd-commands.ts';
import { hubctlInGuest, readGuestHubRef, splitHubDirArg } from './guest-proxy.ts';
import { addHubBackupCommands } from './hub-backup-commands.ts';
import { locateHubDir } from './locate-hub.ts';
import { addPkiCommands } from './pki-commands.ts';
import { addStatusCommands } from './status-commands.ts';
import { addTaskCommands } from './task-commands.ts';

/** Human output: whatever a node wrote into it is shown, never obeyed (see inert). */
function out(text: string): void {
  process.stdout.write(inert(text));
}

function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v), 2) + '\n',
  );
}

runMain('hubctl', async () => {
  // A hub inside a VM (the qemu lab): the same command, run there.
  const { hubDir, rest } = splitHubDirArg(process.argv.slice(2));
  const guest = readGuestHubRef(locateHubDir(hubDir).dir);
  if (guest) {
    process.exitCode = await hubctlInGuest(guest, rest);
    return;
  }
  const program = new Command(process.argv[1]?.endsWith('kubedos-hub') ? 'kubedos-hub ctl' : 'hubctl')
    .description('Operate a kubedos hub: node status, enrollment windows, node replacement, convergence.')
    .version(HUB_VERSION)
    .option('--hub-dir <dir>', 'hub state dir (default: $KUBEDOS_HUB_DIR, the system hub, or the last "kubedos up")')
    .exitOverride();
  // Every command opens one admin connection and always closes it, whatever happens.
  const withAdmin = async <T>(fn: (c: AdminConnection) => Promise<T>): Promise<T> => {
    const c = new AdminConnection(locateHubDir(program.opts<{ hubDir?: string }>().hubDir).dir);
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  };
  const io: CommandIo = { withAdmin, out, printJson };
  // In the order `hubctl --help` lists them.
  addStatusCommands(program, io);
  addEnrollmentCommands(program, io);
  addConvergeCommands(program, io);
  addPkiCommands(program, io);
  addHubBackupCommands(program, io);
  addEtcdCommands(program, io);
  addTaskCommands(program, io);
  program.addCommand(completionCommand(program, 'hubctl'));
  await program.parseAsync();
});
