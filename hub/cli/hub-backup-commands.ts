import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { HubBackupInfo__Output } from '../../proto/gen/kubedos/v1/HubBackupInfo.ts';
import type { HubBackupResponse__Output } from '../../proto/gen/kubedos/v1/HubBackupResponse.ts';
import { UserError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { CommandIo } from './command-io.ts';

function line(b: HubBackupInfo__Output): string {
  const copies = b.copiedTo?.length ? `  copied to ${b.copiedTo.join(', ')}` : '';
  return `${b.name}  ${new Date(Number(b.takenAtMs)).toISOString()}  ${b.bytes} bytes  sha256 ${b.sha256}${copies}\n`;
}

/**
 * `hubctl hub backup [--out FILE]`, `hubctl hub backups`: the hub's backups
 * of its own state (docs/operator.md, "the master is lost"). A backup is
 * sealed to the deployment's recovery key, so --out writes nothing secret.
 */
export function addHubBackupCommands(program: Command, io: CommandIo): void {
  const hub = program.command('hub').description("the hub's own state: backups to restore a master from");
  hub
    .command('backup')
    .description(
      "back the hub's state up now (kept on the master; sealed to the deployment's recovery key), and with --out copy it off",
    )
    .option('--out <file>', 'also write the sealed backup here (the operator’s machine: where a lost master is not)')
    .option('--name <name>', 'copy this kept backup instead of taking a new one (with --out)')
    .option('--json', 'machine-readable output')
    .action(async (o: { out?: string; name?: string; json?: boolean }) => {
      if (o.name && !o.out) throw new UserError('--name copies a kept backup: give --out too');
      if (o.out && !fs.existsSync(path.dirname(path.resolve(o.out))))
        throw new UserError(`--out ${o.out}: its folder does not exist`);
      await io.withAdmin(async (c) => {
        const r = await c.call<object, HubBackupResponse__Output>(
          (a) => a.HubBackup,
          { includeData: !!o.out, name: o.name ?? '' },
          120_000,
        );
        const b = r.backup!;
        if (o.out) writeFileAtomic(o.out, r.data, 0o600);
        if (o.json) io.printJson({ ...b, ...(o.out ? { out: o.out } : {}) });
        else io.out(`${o.name ? 'copied' : 'took'} ${line(b).trimEnd()}${o.out ? `\nwritten to ${o.out}` : ''}\n`);
      });
    });
  hub
    .command('backups')
    .description('the backups of the hub’s state the master keeps, newest first: time, size, checksum')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await io.withAdmin(async (c) => {
        const r = await c.call<object, { backups: HubBackupInfo__Output[] }>((a) => a.ListHubBackups, {});
        if (o.json) return io.printJson(r.backups);
        if (r.backups.length === 0) return void io.out('no hub backups yet ("hubctl hub backup" takes one)\n');
        for (const b of r.backups) io.out(line(b));
      });
    });
}
