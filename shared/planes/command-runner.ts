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

/** target → source: directories bind-mounted over others for one namespaced command. */
export type BindMounts = Record<string, string>;

/**
 * Runs argv with private bind mounts. `ip netns exec` already gives each
 * command its own mount namespace (not propagated to the host), so binding
 * there is invisible elsewhere. wireguard-go and wg meet at the fixed
 * /run/wireguard/<iface>.sock: without a per-node directory bound over it,
 * every namespace's wg1 would share one control socket. The script is
 * constant; paths and argv are passed as arguments, never spliced into it.
 */
export function withBindMounts(argv: string[], binds: BindMounts = {}): string[] {
  const pairs = Object.entries(binds).flatMap(([target, source]) => [source, target]);
  if (pairs.length === 0) return argv;
  const script =
    'while [ "$1" != -- ]; do mkdir -p "$2" && mount --bind "$1" "$2" || exit 125; shift 2; done; shift; exec "$@"';
  return ['sh', '-c', script, 'kubedos-bind', ...pairs, '--', ...argv];
}

export function runInNamespace(ns: string, binds?: BindMounts): CommandRunner {
  return (argv, opts) => runLocal(['ip', 'netns', 'exec', ns, ...withBindMounts(argv, binds)], opts);
}

/** The bind a node needs so its WireGuard control sockets are its own: /run/wireguard → <dir>. */
export function privateWireguardRun(dir: string): BindMounts {
  return { '/run/wireguard': dir };
}
