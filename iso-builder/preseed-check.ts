import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './tools.ts';

/** debconf's own syntax check of a preseed; throws with debconf's complaint when it fails. */
export async function checkPreseed(text: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubedos-preseed-'));
  try {
    const file = path.join(dir, 'preseed.cfg');
    fs.writeFileSync(file, text);
    await run('debconf-set-selections', ['--checkonly', file]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
