import { runProblems } from '../../hub/converge/run-problems.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';

/**
 * After `up`, `deploy` or `redeploy`: whether the convergence run ended
 * other than `done`, and if so its problems on stderr (also with --json,
 * whose stdout is the data), last, so a failing command names its cause.
 */
export function reportUnfinishedRun(status: StatusResponse__Output | undefined, hubctl = 'hubctl'): boolean {
  const run = status?.convergence;
  if (!run || run.state === 'done') return false;
  process.stderr.write(
    runProblems({ ...run, counts: run.counts ?? null }, hubctl)
      .map((l) => `kubedos: ${l}\n`)
      .join(''),
  );
  return true;
}
