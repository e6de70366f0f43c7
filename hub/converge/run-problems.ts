import { firstLine } from '../../shared/text/inert.ts';

/** What the problem report reads of a run: the wire message and the engine's view both have it. */
export interface RunOutcome {
  runId: number;
  state: string;
  counts: { total: number; done: number; failed: number; blocked: number } | null;
  failures: Array<{ node: string; task: string; attempt: number; error: string }>;
  blocked: Array<{ node: string; task: string; reason: string }>;
}

/** Blocked tasks named per cause before the rest is counted: a whole failed phase on a large platform stays readable. */
const BLOCKED_NAMED = 24;

/**
 * Why a convergence run did not end `done`, for the operator and for a red
 * CI alike: a headline, then each failed task with its node, its cause in
 * one line and the command that shows the rest, then the blocked tasks,
 * grouped by what blocked them. Node text is made inert. `hubctl` is how
 * the operator reaches this hub (on a Proxmox master: `kubedos-hub ctl`).
 */
export function runProblems(run: RunOutcome, hubctl = 'hubctl'): string[] {
  const c = run.counts;
  const lines = [
    `convergence run ${run.runId} ended ${run.state}` +
      (c ? `: ${c.failed} failed, ${c.blocked} blocked, ${c.done} of ${c.total} tasks done` : ''),
  ];
  for (const f of run.failures) {
    const name = f.task.startsWith(`${f.node}/`) ? f.task.slice(f.node.length + 1) : f.task;
    lines.push(
      `  FAILED  ${f.task} (attempt ${f.attempt}): ${firstLine(f.error) || 'no error text'}  [${hubctl} logs ${f.node} ${name}]`,
    );
  }
  const byCause = new Map<string, string[]>();
  for (const b of run.blocked) {
    const cause = firstLine(b.reason).replace(/^blocked /, '') || 'no reason given';
    byCause.set(cause, [...(byCause.get(cause) ?? []), b.task]);
  }
  for (const [cause, tasks] of byCause) {
    const named = tasks.slice(0, BLOCKED_NAMED).join(', ');
    const more = tasks.length > BLOCKED_NAMED ? ` and ${tasks.length - BLOCKED_NAMED} more` : '';
    lines.push(`  BLOCKED ${cause.startsWith('by ') ? cause : `(${cause})`}: ${named}${more}`);
  }
  if (run.failures.length === 0 && run.blocked.length === 0)
    lines.push(`  no task failed or was blocked; "${hubctl} status" shows the run`);
  return lines;
}
