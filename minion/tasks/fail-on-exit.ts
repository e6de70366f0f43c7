import { redactSecrets } from '../../shared/tasks/redact.ts';
import type { CommandOutcome } from './host.ts';
import { StateError, type StateContext } from './state-context.ts';

/** Appends a command's output to the task's tail (redacted) and throws if it failed. */
export function checkOutcome(ctx: StateContext, what: string, out: CommandOutcome, showOutput = true): void {
  if (showOutput && out.output) ctx.tail.append(redactSecrets(out.output, ctx.secrets));
  if (out.timedOut) throw new StateError(`${what}: timed out`);
  if (out.exitCode !== 0) throw new StateError(`${what}: exit status ${out.exitCode}`);
}
