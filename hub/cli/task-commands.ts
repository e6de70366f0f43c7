import type { Command } from 'commander';
import type { LogsResponse__Output } from '../../proto/gen/kubedos/v1/LogsResponse.ts';
import type { CommandIo } from './command-io.ts';

/** `hubctl logs` and `hubctl rerun`: a node's task results in the latest run, and running some again. */
export function addTaskCommands(program: Command, io: CommandIo): void {
  const { withAdmin, out, printJson } = io;
  program
    .command('logs <node> [task]')
    .description("a node's task results and output in the latest run (secrets are never shown)")
    .option('--json', 'machine-readable output')
    .action(async (node: string, task: string | undefined, o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, LogsResponse__Output>((a) => a.Logs, { node, task: task ?? '' });
        if (o.json) printJson(r.tasks);
        else if (r.tasks.length === 0)
          out(`no tasks for ${node}${task ? ` matching ${task}` : ''} in the latest run\n`);
        else
          for (const t of r.tasks) {
            out(
              `${t.task}: ${t.state}${t.status ? ` (${t.status})` : ''}, attempt ${t.attempt}${t.error ? `: ${t.error}` : ''}\n`,
            );
            if (t.summary) out(`  ${t.summary}\n`);
            for (const l of t.lines) out(`  ${new Date(l.atMs).toISOString()} ${l.level} ${l.text}\n`);
            if (t.outputTail)
              out(
                t.outputTail
                  .trimEnd()
                  .split('\n')
                  .map((l) => `  | ${l}\n`)
                  .join(''),
              );
          }
      });
    });

  program
    .command('rerun <target>')
    .description('run a task (by id) or every task of a node again, with what depends on it')
    .option('--json', 'machine-readable output')
    .action(async (target: string, o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, { tasks: string[] }>((a) => a.Rerun, { target });
        if (o.json) printJson(r.tasks);
        else
          out(
            `${r.tasks.length} task${r.tasks.length === 1 ? '' : 's'} will run again${r.tasks.length ? `: ${r.tasks.join(', ')}` : ''}\n`,
          );
      });
    });
}
