import fs from 'node:fs';
import type { CommandState__Output } from '../../proto/gen/kubedos/v1/CommandState.ts';
import { checkOutcome } from './fail-on-exit.ts';
import type { RunOptions } from './host.ts';
import { underRoot } from './paths.ts';
import { changed, StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

export function runOptions(s: CommandState__Output, ctx: StateContext): RunOptions {
  return {
    timeoutMs: s.timeoutMs || undefined,
    env: Object.keys(s.env).length ? s.env : undefined,
    cwd: s.cwd || undefined,
    signal: ctx.signal,
  };
}

/**
 * A command (argv, no shell) guarded like Salt's cmd.run: skipped when
 * `creates` exists or `unless` succeeds, run only when `onlyif` succeeds.
 * A guard is what makes a command idempotent, so a rerun does nothing.
 */
export async function commandState(s: CommandState__Output, ctx: StateContext): Promise<StateOutcome> {
  if (s.argv.length === 0) throw new StateError('command with an empty argv', false);
  const shown = s.argv.join(' ');
  const opts = runOptions(s, ctx);
  if (s.creates && fs.existsSync(underRoot(ctx.root, s.creates))) return unchanged(`${s.creates} exists`);
  if (s.unless.length && (await ctx.host.guard(s.unless, 'unless', opts)))
    return unchanged(`unless: ${s.unless.join(' ')} succeeded`);
  if (s.onlyif.length && !(await ctx.host.guard(s.onlyif, 'onlyif', opts)))
    return unchanged(`onlyif: ${s.onlyif.join(' ')} failed`);
  if (ctx.dryRun) return changed(`would run ${shown}`);
  ctx.log(`running ${shown}`);
  checkOutcome(ctx, shown, await ctx.host.run(s.argv, opts), !s.secretOutput);
  await ctx.host.commandDone({ creates: s.creates, unless: s.unless, onlyif: s.onlyif });
  return changed(`ran ${shown}`);
}
