import cliProgress from 'cli-progress';
import type { Convergence__Output } from '../../proto/gen/kubedos/v1/Convergence.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { AdminConnection } from './admin-client.ts';

/**
 * Follows a convergence run through the hub's status until it finishes,
 * with a progress bar on a terminal (a line per phase change otherwise).
 */
export async function waitForRun(admin: AdminConnection, runId: number, show: boolean): Promise<Convergence__Output> {
  const bar =
    show && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'converge |{bar}| {value}/{total} tasks, phase {phase}, {failed} failed', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let lastPhase = '';
  try {
    for (;;) {
      const s = await admin.call<object, StatusResponse__Output>((a) => a.Status, {});
      const run = s.convergence;
      if (run && run.runId === runId) {
        const c = run.counts!;
        if (bar) {
          if (!bar.isActive) bar.start(c.total, 0, { phase: run.phase, failed: 0 });
          bar.update(c.done, { phase: run.phase, failed: c.failed });
        } else if (show && run.phase !== lastPhase) {
          process.stderr.write(`converge: phase ${run.phase}, ${c.done}/${c.total} tasks done\n`);
        }
        lastPhase = run.phase;
        if (run.state !== 'running') return run;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    bar?.stop();
  }
}
