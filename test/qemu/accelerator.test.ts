import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kvmWorks } from '../../deploy/substrates/qemu/accelerator.ts';
import { OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED } from '../../deploy/substrates/qemu/vm-spec.ts';
import { requireSystem } from '../support/requirements.ts';

/**
 * The accelerator probe boots the real machine shape; these stand-ins for
 * qemu-system-x86_64 act out what a KVM host can do: refuse SMM, run the
 * firmware, or start and print nothing.
 */
describe('qemu: the accelerator probe boots the Secure Boot machine shape under KVM', function () {
  let dir: string;
  let device: string;

  before(function () {
    requireSystem(this, { files: [OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-accel-'));
    device = path.join(dir, 'kvm');
    fs.writeFileSync(device, '');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fakeQemu(name: string, body: string): string {
    const file = path.join(dir, name);
    // The serial file is the argument after "-serial", given as file:PATH.
    fs.writeFileSync(
      file,
      `#!/bin/sh\nfor a; do case "$prev" in -serial) serial="\${a#file:}";; esac; prev="$a"; done\n` +
        `echo "$@" > ${JSON.stringify(path.join(dir, `${name}.args`))}\n${body}\n`,
      { mode: 0o755 },
    );
    return file;
  }

  it('says KVM works only once the firmware reached its boot manager, with SMM and Secure Boot asked for', async function () {
    const qemu = fakeQemu('boots', `sleep 1; echo 'BdsDxe: loading Boot0001' >> "$serial"; exec sleep 60`);
    const r = await kvmWorks(qemu, device);
    assert.equal(r.ok, true, r.reason);
    const args = fs.readFileSync(path.join(dir, 'boots.args'), 'utf8');
    assert.match(args, /-machine q35,smm=on,accel=kvm/);
    assert.match(args, /property=secure,value=on/);
    assert.ok(args.includes(OVMF_CODE_SECBOOT));
  });

  it('falls back with QEMU’s own reason when KVM lacks SMM', async function () {
    const qemu = fakeQemu(
      'nosmm',
      `echo 'qemu-system-x86_64: warning: host doesn'"'"'t support requested feature' >&2\n` +
        `echo 'qemu-system-x86_64: System Management Mode not supported by this hypervisor.' >&2; exit 1`,
    );
    const r = await kvmWorks(qemu, device);
    assert.equal(r.ok, false);
    assert.match(r.reason, /System Management Mode not supported/);
  });

  it('falls back when the firmware prints nothing under KVM', async function () {
    this.timeout(60_000);
    const qemu = fakeQemu('silent', 'exec sleep 120');
    const r = await kvmWorks(qemu, device);
    assert.equal(r.ok, false);
    assert.match(r.reason, /printed nothing under KVM/);
  });

  it('does not try KVM without the device', async function () {
    const r = await kvmWorks(fakeQemu('unused', 'exit 0'), path.join(dir, 'absent'));
    assert.deepEqual(r, { ok: false, reason: `no ${path.join(dir, 'absent')}` });
  });
});
