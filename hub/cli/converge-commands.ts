import type { Command } from 'commander';
import type { PlanResponse__Output } from '../../proto/gen/kubedos/v1/PlanResponse.ts';
import { formatConvergeStatus, formatPlanView, type ConvergeStatus } from '../converge/views.ts';
import type { CommandIo } from './command-io.ts';
import { reportUnfinishedRun } from './report-run.ts';
import { waitForRun } from './wait-for-run.ts';

/** `hubctl plan` and `hubctl converge`: what the platform would be driven to, and driving it there. */
export function addConvergeCommands(program: Command, io: CommandIo): void {
  const { withAdmin, out, printJson } = io;
  program
    .command('plan')
    .description('the convergence plan: per node, its tasks in order, with what each waits for')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const plan = await c.call<object, PlanResponse__Output>((a) => a.Plan, {}, 60_000);
        if (o.json) printJson(plan);
        else out(formatPlanView(plan));
      });
    });

  program
    .command('converge')
    .description('drive every node to its role (etcd, control plane, workers, load balancers, services)')
    .option('--dry-run', 'report what would change, change nothing')
    .option('--no-wait', 'return once the run has started')
    .option('--cancel', 'end the running convergence run (what has not finished is cancelled)')
    .option('--json', 'machine-readable output')
    .action(async (o: { dryRun?: boolean; wait: boolean; cancel?: boolean; json?: boolean }) => {
      await withAdmin(async (c) => {
        if (o.cancel) {
          const r = await c.call<object, { runId: number; cancelledTasks: number }>((a) => a.CancelConvergence, {});
          if (o.json) printJson(r);
          else
            out(
              r.runId
                ? `convergence run ${r.runId} cancelled: ${r.cancelledTasks} unfinished task${r.cancelledTasks === 1 ? '' : 's'} ended\n`
                : 'no convergence run is running\n',
            );
          return;
        }
        const { runId } = await c.call<object, { runId: number }>((a) => a.Converge, { dryRun: !!o.dryRun }, 60_000);
        if (!o.wait) {
          if (o.json) printJson({ runId });
          else out(`convergence run ${runId} started; "hubctl status" shows its progress\n`);
          return;
        }
        const final = await waitForRun(c, runId, !o.json);
        if (o.json) printJson(final);
        else out(formatConvergeStatus(final as unknown as ConvergeStatus));
        if (reportUnfinishedRun(final, 'hubctl')) process.exitCode = 3;
      });
    });
}
