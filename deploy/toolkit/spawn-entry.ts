import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clearHubReady, waitForHubReady, type HubReady } from '../../hub/ready-file.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

/** The argv that runs one of kubedos's own programs (hub/main.ts, minion/main.ts) on the pinned Node running this one. */
export function entryArgv(entry: string, args: string[]): string[] {
  return [process.execPath, '--disable-warning=ExperimentalWarning', path.join(REPO, entry), ...args];
}

/**
 * Starts one of kubedos's own programs (hub/main.ts, minion/main.ts) on the
 * same pinned Node that runs this process, output appended to a log file.
 * Detached children get their own process group so Ctrl-C in the terminal
 * reaches only the deployer, which then stops them in order.
 */
export function spawnEntry(
  entry: string,
  args: string[],
  opts: { logFile: string; detached: boolean; prefix?: string[] },
): ChildProcess {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = fs.openSync(opts.logFile, 'a', 0o600);
  const argv = [...(opts.prefix ?? []), ...entryArgv(entry, args)];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', log, log],
    detached: opts.detached,
  });
  fs.closeSync(log);
  return child;
}

/**
 * Starts the hub (hub/main.ts with these arguments) and waits for its
 * readiness file in its state dir; the process and what the hub said.
 */
export async function startHubEntry(
  args: string[],
  opts: { stateDir: string; logFile: string; detached: boolean; timeoutMs?: number },
): Promise<{ child: ChildProcess; ready: HubReady }> {
  clearHubReady(opts.stateDir);
  const child = spawnEntry('hub/main.ts', args, { logFile: opts.logFile, detached: opts.detached });
  try {
    const ready = await waitForHubReady({
      stateDir: opts.stateDir,
      logFile: opts.logFile,
      isRunning: () => child.exitCode === null && child.signalCode === null,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return { child, ready };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
