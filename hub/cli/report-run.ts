import type { Convergence__Output } from '../../proto/gen/kubedos/v1/Convergence.ts';
import { runProblems } from '../converge/run-problems.ts';
import { inert } from '../../shared/text/inert.ts';

/**
 * After a command that waited for a convergence run (`kubedos up`,
 * `deploy`, `redeploy`, `hubctl converge`): whether the run ended other than
 * `done`, and if so its problems on stderr, each line behind the command's
 * name (also with --json, whose stdout is the data), last, so a failing
 * command names its cause. `hubctl` is how the operator reaches that hub.
 */
export function reportUnfinishedRun(
  run: Convergence__Output | null | undefined,
  prog: string,
  hubctl = 'hubctl',
): boolean {
  if (!run || run.state === 'done') return false;
  process.stderr.write(
    inert(
      runProblems({ ...run, counts: run.counts ?? null }, hubctl)
        .map((l) => `${prog}: ${l}\n`)
        .join(''),
    ),
  );
  return true;
}
