import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED } from './vm-spec.ts';

export type Accelerator = 'kvm' | 'tcg';

/** What the firmware prints on the serial console once it has run to its boot manager. */
const FIRMWARE_REACHED_BDS = /BdsDxe:/;
/** Under working KVM the firmware reaches its boot manager in about a second; TCG needs 10-20 s. */
const PROBE_DEADLINE_MS = 30_000;

/**
 * Whether KVM really runs the machine kubedos starts, found by booting it:
 * the Proxmox shape (q35 with SMM, the Secure Boot OVMF with a copy of its
 * enrolled variables) under KVM, until the firmware prints its boot manager
 * line on the serial console. /dev/kvm can exist and still fail: no
 * permission, no SMM ("System Management Mode not supported by this
 * hypervisor", QEMU exits), or a KVM that starts and then runs nothing
 * (a nested hypervisor that prints nothing in a minute).
 */
export async function kvmWorks(
  qemu = 'qemu-system-x86_64',
  kvmDevice = '/dev/kvm',
): Promise<{ ok: boolean; reason: string }> {
  if (!fs.existsSync(kvmDevice)) return { ok: false, reason: `no ${kvmDevice}` };
  try {
    fs.accessSync(kvmDevice, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return { ok: false, reason: `${kvmDevice} is not readable and writable by this user` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-kvm-probe-'));
  try {
    const vars = path.join(dir, 'vars.fd');
    const serial = path.join(dir, 'serial.log');
    fs.copyFileSync(OVMF_VARS_ENROLLED, vars);
    fs.writeFileSync(serial, '');
    const proc = execa(
      qemu,
      [
        '-machine', 'q35,smm=on,accel=kvm',
        '-global', 'driver=cfi.pflash01,property=secure,value=on',
        '-drive', `if=pflash,unit=0,format=raw,readonly=on,file=${OVMF_CODE_SECBOOT}`,
        '-drive', `if=pflash,unit=1,format=raw,file=${vars}`,
        '-cpu', 'host', '-m', '256', '-nodefaults', '-display', 'none', '-no-reboot',
        '-serial', `file:${serial}`,
      ], // prettier-ignore
      { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' },
    );
    let exited = false;
    void proc.then(() => (exited = true));
    const deadline = Date.now() + PROBE_DEADLINE_MS;
    let booted = false;
    while (!exited && Date.now() < deadline) {
      if (FIRMWARE_REACHED_BDS.test(fs.readFileSync(serial, 'latin1'))) {
        booted = true;
        break;
      }
      await sleep(200);
    }
    const stoppedByItself = exited;
    if (!stoppedByItself) proc.kill('SIGKILL');
    const result = await proc;
    if (booted) return { ok: true, reason: 'KVM ran the Secure Boot firmware (q35, SMM) to its boot manager' };
    if (stoppedByItself) {
      const why = String(result.stderr || result.shortMessage)
        .trim()
        .split('\n')
        .filter((l) => !/warning:/.test(l))
        .slice(-1)[0];
      return { ok: false, reason: `QEMU under KVM stopped: ${why || `exit ${result.exitCode}`}` };
    }
    return {
      ok: false,
      reason: `the Secure Boot firmware printed nothing under KVM in ${PROBE_DEADLINE_MS / 1000} s`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let probed: Promise<{ ok: boolean; reason: string }> | undefined;

/**
 * KVM when it runs the real machine shape, else TCG; the reason says why.
 * The probe boots a VM, so it runs once per process.
 */
export async function chooseAccelerator(
  wanted: Accelerator | 'auto' = 'auto',
): Promise<{ accel: Accelerator; reason: string }> {
  if (wanted === 'tcg') return { accel: 'tcg', reason: 'TCG requested' };
  probed ??= kvmWorks();
  const kvm = await probed;
  if (kvm.ok) return { accel: 'kvm', reason: kvm.reason };
  if (wanted === 'kvm') throw new Error(`KVM was requested but does not work here: ${kvm.reason}`);
  return { accel: 'tcg', reason: `KVM unusable (${kvm.reason}); using TCG` };
}
