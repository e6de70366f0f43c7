import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchVm, type RunningVm } from '../../deploy/qemu/launcher.ts';
import { OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED } from '../../deploy/qemu/vm-spec.ts';
import { INSTALLER_START_MARKER } from '../../iso-builder/preseed.ts';
import { requireSystem } from '../support/requirements.ts';
import { ISO_COMMANDS, ISO_FILES, sharedIsoFixture } from '../iso/build-fixture.ts';

/** TCG on 2 cores reaches the marker in about 2 minutes here; the deadline leaves room for a slower CI box. */
const BOOT_DEADLINE_MS = 10 * 60_000;

describe('qemu: the built ISO boots in the Proxmox VM shape (UEFI, Secure Boot, TPM)', function () {
  this.timeout(BOOT_DEADLINE_MS + 120_000);
  let vm: RunningVm | undefined;
  let dir: string;

  before(function () {
    requireSystem(this, {
      commands: [...ISO_COMMANDS, 'qemu-system-x86_64', 'swtpm'],
      files: [...ISO_FILES, OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED],
    });
  });
  after(async () => {
    await vm?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the installer starting with our preseed on the serial console, Secure Boot enabled', async function () {
    const fx = await sharedIsoFixture();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-vm-'));
    vm = await launchVm(
      { name: 'kdi-lb-1', cores: 2, memoryMiB: 2048, iso: path.join(fx.options.outDir, 'kdi-mini-lb-1.iso') },
      { dir },
    );
    console.log(`      accelerator: ${vm.accel} (${vm.accelReason})`);
    const started = Date.now();
    const text = await vm.waitForConsole(new RegExp(`${INSTALLER_START_MARKER} node=lb-1 role=lb`), BOOT_DEADLINE_MS);
    console.log(`      marker after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.match(text, /secureboot: Secure boot enabled/);
    assert.match(text, /Debian Secure Boot CA/);
  });
});
