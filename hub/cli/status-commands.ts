import type { Command } from 'commander';
import { duration } from '../../shared/cli/duration.ts';
import { inert } from '../../shared/text/inert.ts';
import { readStatus, type CommandIo } from './command-io.ts';
import { renderStatus } from './render-status.ts';
import { statusKey } from './status-change.ts';

/** `hubctl status` (once, --watch, --changed-from) and `hubctl nodes`: every node as the hub and the cluster see it. */
export function addStatusCommands(program: Command, io: CommandIo): void {
  const { withAdmin, out, printJson } = io;
  program
    .command('status')
    .description(
      'every node: role, state (expected/enrolled/connected/lost), plane addresses, last heartbeat, and its Node as the cluster sees it',
    )
    .option('--json', 'machine-readable output')
    .option('--watch', 'refresh in place until Ctrl-C')
    .option('--interval <duration>', 'refresh interval for --watch', duration, 2000)
    .option('--no-kubernetes', "the kubedos side only: the cluster's API is not asked (for scripts that poll)")
    .option(
      '--changed-from <key>',
      'answer once the progress differs from this key (a status --json answer has it as changeKey), or after --wait-max',
    )
    .option('--wait-max <duration>', 'the longest --changed-from waits', duration, 30_000)
    .action(
      async (o: {
        json?: boolean;
        watch?: boolean;
        interval: number;
        kubernetes: boolean;
        changedFrom?: string;
        waitMax: number;
      }) => {
        await withAdmin(async (c) => {
          if (o.changedFrom !== undefined) {
            // One process waiting on the socket instead of one started per poll: in a VM under emulation a
            // start costs seconds of CPU, taken from the nodes being installed beside it.
            const deadline = Date.now() + o.waitMax;
            let s = await readStatus(c, false);
            while (statusKey(s) === o.changedFrom && Date.now() < deadline) {
              await new Promise((r) => setTimeout(r, 500));
              s = await readStatus(c, false);
            }
            printJson({ ...s, changeKey: statusKey(s) });
            return;
          }
          if (!o.watch) {
            const s = await readStatus(c, o.kubernetes);
            if (o.json) printJson(s);
            else out(renderStatus(s));
            return;
          }
          for (;;) {
            const s = await readStatus(c, o.kubernetes);
            if (o.json) process.stdout.write(JSON.stringify(s) + '\n');
            else process.stdout.write(`\x1b[H\x1b[2J${inert(renderStatus(s))}`);
            await new Promise((r) => setTimeout(r, o.interval));
          }
        });
      },
    );

  program
    .command('nodes')
    .description('the inventory: node, role, VMID, LAN IP, generation')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const s = await readStatus(c, false);
        const rows = s.nodes.map((n) => ({
          node: n.name,
          role: n.role,
          vmid: n.vmid,
          lanIp: n.lanIp,
          generation: n.generation,
          state: n.state,
        }));
        if (o.json) printJson(rows);
        else
          for (const r of rows)
            out(
              `${r.node.padEnd(14)} ${r.role.padEnd(11)} ${String(r.vmid).padEnd(7)} ${r.lanIp.padEnd(15)} gen ${r.generation}  ${r.state}\n`,
            );
      });
    });
}
