/**
 * A mocha root hook: every temporary file of a test run lives under one
 * folder, removed when the run ends. Tests make their folders with
 * os.tmpdir() (directly or through tempDir), and a lab leaves gigabytes
 * there (container roots, VM disks, a second Kubernetes build): left in
 * /tmp, a few runs filled this machine's disk. Set KUBEDOS_KEEP_TEST_TMP=1
 * to keep the folder for a look after a failure.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-run-'));
// Passable like /tmp (not listable): tools that drop privileges (apt's _apt) reach their folders under it.
fs.chmodSync(runDir, 0o711);
// os.tmpdir() reads TMPDIR on every call; child processes started with this environment inherit it too.
process.env.TMPDIR = runDir;

export const mochaHooks = {
  afterAll(): void {
    if (process.env.KUBEDOS_KEEP_TEST_TMP === '1') {
      process.stdout.write(`\n  test files kept in ${runDir}\n`);
      return;
    }
    // Never across a mount a lab left behind (a node's root, a bind mount): rm stops at other filesystems.
    try {
      execFileSync('rm', ['-rf', '--one-file-system', runDir], { stdio: 'ignore' });
    } catch {
      process.stdout.write(`\n  some test files could not be removed (a mount left behind?): ${runDir}\n`);
    }
  },
};
