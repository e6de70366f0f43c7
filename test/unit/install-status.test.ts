import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  describeInstall,
  INSTALL_STATUS_FILE,
  INSTALL_STATUS_MARK,
  INSTALL_STATUS_SEEN,
  installEnded,
  lastInstallStatus,
  parseInstallStatus,
} from '../../iso-builder/installer/install-status.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../../iso-builder/installer/kubedos-install.sh');

/** The installer's own json_string and status functions, lifted from the script as it ships. */
function statusFunctions(): string {
  const text = fs.readFileSync(SCRIPT, 'utf8');
  return ['json_string', 'status']
    .map((name) => {
      const start = text.indexOf(`\n${name}() {`);
      assert.ok(start >= 0, `${name} is in the installer`);
      return text.slice(start + 1, text.indexOf('\n}\n', start) + 2);
    })
    .join('\n');
}

describe('the installer’s status: one JSON object, written by the script, read by one module', () => {
  it('the script writes where the module reads, says it after the module’s mark, and waits on the same file', () => {
    const text = fs.readFileSync(SCRIPT, 'utf8');
    assert.match(text, new RegExp(`^STATUS=${INSTALL_STATUS_FILE}$`, 'm'));
    assert.ok(text.includes(`echo "${INSTALL_STATUS_MARK}$line"`));
    assert.ok(text.includes(`[ -e ${INSTALL_STATUS_SEEN} ]`));
  });

  it('what the script writes parses back exactly, whatever the reason holds (quotes, backslashes, tabs)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'install-status-'));
    try {
      const file = path.join(dir, 'status');
      const reason = `line 41: x="a\\b" && printf '%s\t' "$HOME"`;
      const r = await execa('bash', [
        '-c',
        `set -euo pipefail\nSTATUS=${file}\n${statusFunctions()}\nstatus checking\nNODE=cp-1\nstatus failed "$1"`,
        'bash',
        reason,
      ]);
      const written = parseInstallStatus(fs.readFileSync(file, 'utf8'));
      assert.deepEqual(written, { phase: 'failed', node: 'cp-1', reason: reason.replace('\t', ' ') });
      assert.deepEqual(lastInstallStatus(`[  3.1] kernel line\r\n${r.stdout}\r\n`), written);
      assert.equal(describeInstall(written!), `failed: ${written!.reason}`);
      assert.equal(installEnded(written!), true);
      assert.equal(fs.readdirSync(dir).length, 1, 'written whole: no temporary file left beside it');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('anything else is no status: a partial write, another phase, a foreign file', () => {
    assert.equal(parseInstallStatus('{"phase":"installed","node":"w-1"'), undefined);
    assert.equal(parseInstallStatus('{"phase":"rebooting","node":"w-1","reason":""}'), undefined);
    assert.equal(parseInstallStatus('installed: w-1 on /dev/sda'), undefined);
    assert.equal(parseInstallStatus('{"phase":"installed","node":1,"reason":""}'), undefined);
    assert.equal(lastInstallStatus('kubedos-install: installed w-1 on /dev/sda'), undefined);
    const checking = parseInstallStatus('{"phase":"checking","node":"","reason":""}')!;
    assert.equal(describeInstall(checking), 'checking');
    assert.equal(installEnded(checking), false);
  });
});
