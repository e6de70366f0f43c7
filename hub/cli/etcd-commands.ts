import type { Command } from 'commander';
import { formatConvergeStatus, type ConvergeStatus } from '../converge/views.ts';
import type { AdminConnection } from './admin-client.ts';
import type { CommandIo } from './command-io.ts';
import { reportUnfinishedRun } from './report-run.ts';
import { waitForRun } from './wait-for-run.ts';

/** `hubctl etcd backup|backups|restore`: etcd snapshots taken now, listed, and the cluster brought back from one. */
export function addEtcdCommands(program: Command, io: CommandIo): void {
  const { withAdmin, out, printJson } = io;
  const etcd = program.command('etcd').description('etcd backups: take one now, list them, restore the cluster');
  // A run the hub started for us: wait for it (progress on stderr) unless --no-wait, and exit 3 if it failed.
  const finishRun = async (c: AdminConnection, runId: number, o: { wait: boolean; json?: boolean }, what: string) => {
    if (!o.wait) return;
    const final = await waitForRun(c, runId, !o.json);
    if (o.json) printJson(final);
    else
      out(
        `${what}: ${final.state}\n${final.state === 'done' ? '' : formatConvergeStatus(final as unknown as ConvergeStatus)}`,
      );
    if (reportUnfinishedRun(final, 'hubctl')) process.exitCode = 3;
  };
  etcd
    .command('backup')
    .description('take an etcd snapshot now, on a connected member (the hub also takes them on its schedule)')
    .option('--no-wait', 'return once the backup has started')
    .option('--json', 'machine-readable output')
    .action(async (o: { wait: boolean; json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, { runId: number; node: string; path: string }>((a) => a.EtcdBackup, {});
        if (!o.json) out(`backup run ${r.runId}: ${r.node} saves ${r.path}\n`);
        else if (!o.wait) printJson(r);
        await finishRun(c, r.runId, o, `etcd backup ${r.path} on ${r.node}`);
      });
    });
  etcd
    .command('backups')
    .description('the etcd snapshots the members keep, newest first')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<
          object,
          { backups: Array<{ name: string; node: string; path: string; takenAtMs: number; summary: string }> }
        >((a) => a.ListEtcdBackups, {});
        if (o.json) return printJson(r.backups);
        if (r.backups.length === 0) return void out('no etcd backups yet ("hubctl etcd backup" takes one)\n');
        for (const b of r.backups) out(`${b.name}  ${b.node}  ${new Date(b.takenAtMs).toISOString()}  ${b.summary}\n`);
      });
    });
  etcd
    .command('restore <name>')
    .description(
      'bring the etcd cluster back from a backup (every member stops; its current data is set aside, not deleted)',
    )
    .option('--yes', 'do it: without --yes only says what would happen')
    .option('--no-wait', 'return once the restore has started')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { yes?: boolean; wait: boolean; json?: boolean }) => {
      if (!o.yes) {
        out(
          `"hubctl etcd restore ${name} --yes" stops every etcd member, restores ${name} on the member that holds it, ` +
            'and makes the others join it empty: every write since that backup is lost (the old data dirs are kept beside as <data dir>.before-<restore id>).\n',
        );
        process.exitCode = 2;
        return;
      }
      await withAdmin(async (c) => {
        const r = await c.call<object, { runId: number; node: string; restoreId: string }>(
          (a) => a.EtcdRestore,
          { name },
          60_000,
        );
        if (!o.json) out(`restore ${r.restoreId} (run ${r.runId}): ${r.node} restores ${name}; the others join it\n`);
        else if (!o.wait) printJson(r);
        await finishRun(c, r.runId, o, `etcd restore ${r.restoreId}`);
      });
    });
}
