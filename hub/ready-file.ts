import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../shared/errors.ts';
import { writeFileAtomic } from '../shared/fs/atomic-write.ts';

/**
 * The hub's readiness, as a file in its state dir that whoever started it
 * reads (the substrates, tests, benchmarks): written once the node port and
 * the admin socket are up, removed when the hub stops. Data, not a log line.
 */
export const HUB_READY_FILE = 'ready.json';

export interface HubReady {
  /** The node port actually bound (a `:0` listen gets one of the system's). */
  port: number;
  pid: number;
  /** The contract version this hub speaks (shared/proto/contract-version.ts). */
  contract: number;
  adminSocket: string;
}

export function writeHubReady(stateDir: string, ready: HubReady): void {
  writeFileAtomic(path.join(stateDir, HUB_READY_FILE), JSON.stringify(ready) + '\n', 0o600);
}

/** Removes the file (at the hub's stop; and before a hub is started, so an earlier one's is never read). */
export function clearHubReady(stateDir: string): void {
  fs.rmSync(path.join(stateDir, HUB_READY_FILE), { force: true });
}

/** What the file says, if it is there and whole. */
export function readHubReady(stateDir: string): HubReady | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(stateDir, HUB_READY_FILE), 'utf8');
  } catch {
    return undefined;
  }
  return parseHubReady(text);
}

/** The file's text (read here, or in a VM through its guest agent) as data, if it is whole. */
export function parseHubReady(text: string): HubReady | undefined {
  try {
    const r = JSON.parse(text) as Partial<HubReady>;
    if (
      Number.isInteger(r.port) &&
      Number.isInteger(r.pid) &&
      Number.isInteger(r.contract) &&
      typeof r.adminSocket === 'string'
    )
      return r as HubReady;
  } catch {
    // Written atomically: a torn file is not one of ours.
  }
  return undefined;
}

/**
 * Waits until the hub in `stateDir` says it is ready; fails with the log's
 * last lines if it exits first, or at the deadline.
 */
export async function waitForHubReady(o: {
  stateDir: string;
  isRunning(): boolean;
  /** Where its output goes: its last lines are in the error. */
  logFile?: string;
  timeoutMs?: number;
}): Promise<HubReady> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const tail = () =>
    o.logFile && fs.existsSync(o.logFile)
      ? fs.readFileSync(o.logFile, 'utf8').trim().split('\n').slice(-5).join('\n')
      : '';
  for (;;) {
    const ready = readHubReady(o.stateDir);
    if (ready) return ready;
    if (!o.isRunning()) throw new UserError(`the hub exited before it was ready:\n${tail()}`);
    if (Date.now() > deadline)
      throw new UserError(
        `the hub did not become ready in ${timeoutMs / 1000}s${o.logFile ? `; see ${o.logFile}` : ''}`,
      );
    await sleep(100);
  }
}
