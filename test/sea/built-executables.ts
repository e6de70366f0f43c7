import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildExecutables, type BuiltExecutable } from '../../scripts/sea/build.ts';

/**
 * One build per mocha run, shared by every test in test/sea: a build costs
 * tens of seconds of two shared cores. Output goes to a temp dir outside the
 * checkout, removed when the run ends.
 */
let first: Promise<BuiltExecutable[]> | undefined;
const dirs: string[] = [];

export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kds-${label}-`));
  if (dirs.length === 0)
    process.once('exit', () => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  dirs.push(dir);
  return dir;
}

export function buildOnce(): Promise<BuiltExecutable[]> {
  first ??= buildExecutables({ outDir: tempDir('sea-build') });
  return first;
}

/** A fresh build into its own directory, for comparing with the shared one. */
export function buildAgain(): Promise<BuiltExecutable[]> {
  return buildExecutables({ outDir: tempDir('sea-rebuild') });
}

export function executable(built: BuiltExecutable[], name: string): BuiltExecutable {
  const found = built.find((b) => b.name === name);
  if (!found) throw new Error(`${name} was not built`);
  return found;
}
