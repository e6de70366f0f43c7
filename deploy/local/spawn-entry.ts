import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * Starts one of kubedos's own programs (hub/main.ts, minion/main.ts) on the
 * same pinned Node that runs this process, output appended to a log file.
 * Detached children get their own process group so Ctrl-C in the terminal
 * reaches only the deployer, which then stops them in order.
 */
export function spawnEntry(
  entry: string,
  args: string[],
  opts: { logFile: string; detached: boolean; captureStdout?: boolean; prefix?: string[] },
): ChildProcess {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = fs.openSync(opts.logFile, 'a', 0o600);
  const argv = [
    ...(opts.prefix ?? []),
    process.execPath,
    '--disable-warning=ExperimentalWarning',
    path.join(REPO, entry),
    ...args,
  ];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', opts.captureStdout ? 'pipe' : log, log],
    detached: opts.detached,
  });
  fs.closeSync(log);
  return child;
}

/** Resolves with the hub's bound port once it prints its readiness line; rejects if it exits first. */
export function waitForHubReady(child: ChildProcess, logFile: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`the hub did not become ready in ${timeoutMs / 1000}s; see ${logFile}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = /kubedos-hub ready port=(\d+)/.exec(buffer);
      if (m) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const tail = fs.existsSync(logFile)
        ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n')
        : '';
      reject(new Error(`the hub exited (code ${code}) before it was ready:\n${tail}`));
    });
  });
}
