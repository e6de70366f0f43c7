import fs from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what a killed build left behind: temp files and folders whose
 * name carries the pid of a process that is gone (`pattern` captures it).
 * A live build's temp files are left alone.
 */
export function removeStale(dir: string, pattern: RegExp): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (pid > 0 && pid !== process.pid && !alive(pid))
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}
