import fs from 'node:fs';

/**
 * A process a lab started, recorded with its start time (field 22 of
 * /proc/<pid>/stat), so a recycled pid is never signalled.
 */
export interface OwnedProcess {
  pid: number;
  startTime: string;
}

export function procStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; starttime is field 22 overall.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isAlive(p: OwnedProcess): boolean {
  return procStartTime(p.pid) === p.startTime;
}

export function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** SIGTERM, then SIGKILL once graceMs has passed; resolves when it is gone (or after a last short wait). */
export async function stopOwned(p: OwnedProcess, graceMs = 3000): Promise<void> {
  if (!isAlive(p)) return;
  signalPid(p.pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs && isAlive(p); waited += 100) await sleep(100);
  if (isAlive(p)) signalPid(p.pid, 'SIGKILL');
  for (let i = 0; i < 20 && isAlive(p); i++) await sleep(50);
}
