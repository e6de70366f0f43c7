import { CommanderError } from 'commander';
import { UserError } from '../errors.ts';
import { inert } from '../text/inert.ts';

/**
 * The top level of every kubedos command: an operator error prints its
 * message (and hint) and exits 2; anything else is a bug, printed with its
 * stack so it can be reported, exit 1. Never a stack trace for bad input.
 */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof UserError) {
      // A message may carry what a node or a hub said: shown, never obeyed by the terminal.
      process.stderr.write(inert(`${name}: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`));
      process.exit(2);
    }
    process.stderr.write(
      `${name}: internal error (a bug; please report it):\n${(err as Error)?.stack ?? String(err)}\n`,
    );
    process.exit(1);
  });
}
