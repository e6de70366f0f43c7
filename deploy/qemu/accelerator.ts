import { execa } from 'execa';

export type Accelerator = 'kvm' | 'tcg';

/**
 * Whether KVM really works here, found by starting QEMU with it: /dev/kvm can
 * exist and still fail (no permission, nested virtualization off, a module
 * that refuses). QEMU is paused (-S) on an empty machine and told to quit.
 */
export async function kvmWorks(qemu = 'qemu-system-x86_64'): Promise<{ ok: boolean; reason: string }> {
  const r = await execa(
    qemu,
    ['-accel', 'kvm', '-machine', 'none', '-nodefaults', '-display', 'none', '-S', '-monitor', 'stdio'],
    {
      input: 'quit\n',
      reject: false,
      timeout: 20_000,
    },
  );
  if (r.exitCode === 0) return { ok: true, reason: 'KVM initialized' };
  const why =
    String(r.stderr || r.stdout || r.shortMessage)
      .trim()
      .split('\n')
      .slice(-1)[0] ?? 'unknown';
  return { ok: false, reason: why };
}

export async function chooseAccelerator(
  wanted: Accelerator | 'auto' = 'auto',
): Promise<{ accel: Accelerator; reason: string }> {
  if (wanted === 'tcg') return { accel: 'tcg', reason: 'TCG requested' };
  const kvm = await kvmWorks();
  if (kvm.ok) return { accel: 'kvm', reason: kvm.reason };
  if (wanted === 'kvm') throw new Error(`KVM was requested but does not work here: ${kvm.reason}`);
  return { accel: 'tcg', reason: `KVM unusable (${kvm.reason}); using TCG` };
}
