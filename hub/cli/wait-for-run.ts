import cliProgress from 'cli-progress';
import type { Convergence__Output } from '../../proto/gen/kubedos/v1/Convergence.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { UserError } from '../../shared/errors.ts';
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
  let lastWaiting = '';
  // Ctrl-C stops the waiting, not the run: say how to end the run too.
  let interrupted = false;
  const onInt = () => (interrupted = true);
  process.once('SIGINT', onInt);
  try {
    for (;;) {
      if (interrupted)
        throw new UserError(
          `stopped waiting; convergence run ${runId} goes on in the hub`,
          '"hubctl status" follows it, "hubctl converge --cancel" ends it',
        );
      const s = await admin.call<object, StatusResponse__Output>((a) => a.Status, { runId });
      const run = s.convergence;
      if (run && run.runId === runId) {
        const c = run.counts!;
        const waiting = waitingOn(s, run);
        if (show && waiting !== lastWaiting && waiting) process.stderr.write(`\nconverge: waiting for ${waiting}\n`);
        lastWaiting = waiting;
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
    process.removeListener('SIGINT', onInt);
    bar?.stop();
  }
}

/** The nodes with work left in the run that are not connected, or whose tasks the hub holds: why a run waits. */
export function waitingOn(s: StatusResponse__Output, run: Convergence__Output): string {
  const state = new Map(s.nodes.map((n) => [n.name, n.state]));
  const offline = run.nodes
    .filter((n) => n.done + n.failed.length + n.blocked < n.total && (state.get(n.node) ?? 'connected') !== 'connected')
    .map((n) => `${n.node} (${state.get(n.node)}, ${n.total - n.done - n.failed.length - n.blocked} tasks left)`);
  return [...offline, ...run.nodes.filter((n) => n.held).map((n) => n.held)].join(', ');
}
