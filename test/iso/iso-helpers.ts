import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/** Reads one file out of an ISO with xorriso (no mount, no root). */
export function isoRead(iso: string, isoPath: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-x-'));
  try {
    const out = path.join(dir, 'f');
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', isoPath, out], { stdio: 'ignore' });
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every file path in the ISO. */
export function isoList(iso: string): string[] {
  const out = execFileSync('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  return out
    .split('\n')
    .filter((l) => l.startsWith("'"))
    .map((l) => l.slice(1, -1));
}

export function elToritoReport(iso: string): string {
  return execFileSync('xorriso', ['-indev', iso, '-report_el_torito', 'plain'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
}

/** The files of the initrd overlay the builder appends (gzip'd newc cpio). */
export function overlayFiles(iso: string): Map<string, Buffer> {
  const cpio = zlib.gunzipSync(isoRead(iso, '/install/kubedos.gz'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-cpio-'));
  try {
    execFileSync('cpio', ['-id', '--quiet'], { cwd: dir, input: cpio });
    const files = new Map<string, Buffer>();
    for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isFile()) files.set(name, fs.readFileSync(p));
    }
    return files;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
