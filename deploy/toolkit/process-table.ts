import fs from 'node:fs';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';

/**
 * The processes a local deployment started, recorded so `kubedos down`
 * stops exactly those: a pid is signalled only while its command line still
 * names the deployment's run dir, so a reused pid is never touched.
 */
export interface ProcessRecord {
  name: string;
  pid: number;
}

/** Each process's name and pid, and nothing else a caller's records hold (a ChildProcess beside them). */
export function recordProcesses(file: string, processes: ProcessRecord[]): void {
  const records = processes.map(({ name, pid }) => ({ name, pid }));
  writeFileAtomic(file, JSON.stringify(records, null, 2) + '\n', 0o600);
}

export function readProcesses(file: string): ProcessRecord[] {
  if (!fs.existsSync(file)) return [];
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ProcessRecord[];
}

export function isOurs(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL for whatever is still alive after the grace period. */
export async function stopProcesses(processes: ProcessRecord[], marker: string, graceMs = 5000): Promise<number> {
  const ours = processes.filter((p) => isOurs(p.pid, marker));
  for (const p of ours) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && ours.some((p) => isOurs(p.pid, marker))) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const p of ours) if (isOurs(p.pid, marker)) signal(p.pid, 'SIGKILL');
  return ours.length;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
