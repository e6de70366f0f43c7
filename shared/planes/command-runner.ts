/**
 * How plane code runs system commands: argv only, never a shell. The default
 * runs on this machine; a test or the netns substrate can run the same code
 * inside a namespace by prefixing `ip netns exec <ns>`.
 */
import { execa } from 'execa';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (argv: string[], opts?: { input?: string; reject?: boolean }) => Promise<CommandResult>;

export const runLocal: CommandRunner = async (argv, opts = {}) => {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty command');
  const r = await execa(file, args, { input: opts.input ?? '', reject: false });
  const result = { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  if (result.exitCode !== 0 && opts.reject !== false) {
    throw new Error(
      `${argv.join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
};

export function runInNamespace(ns: string): CommandRunner {
  return (argv, opts) => runLocal(['ip', 'netns', 'exec', ns, ...argv], opts);
}
