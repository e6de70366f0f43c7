import { execFile } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');

/** Runs one of the repo's bin commands (kubedos, hubctl) as an operator would: its exit code and output. */
export function runBin(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30 * 60_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      path.join(REPO, 'bin', cmd),
      args,
      { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
