import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { chooseAccelerator, type Accelerator } from '../../deploy/substrates/qemu/accelerator.ts';
import { vmPaths } from '../../deploy/substrates/qemu/daemon-vm.ts';
import { startSwtpm, type Swtpm } from '../../deploy/substrates/qemu/swtpm.ts';
import {
  OVMF_VARS_ENROLLED,
  OVMF_VARS_NO_KEYS,
  qemuArgs,
  type VmPaths,
  type VmSpec,
} from '../../deploy/substrates/qemu/vm-spec.ts';

export interface RunningVm {
  spec: VmSpec;
  accel: Accelerator;
  accelReason: string;
  paths: VmPaths;
  process: ResultPromise;
  /** What the VM's serial console said so far. */
  consoleText(): string;
  /** What QEMU itself wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** The VM's own folder: firmware variables, TPM state, sockets, console log. */
  dir: string;
  accel?: Accelerator | 'auto';
}

/**
 * Starts a VM the way Proxmox does (see vm-spec.ts), each VM with its own
 * copy of the key-enrolled OVMF variables and its own swtpm. Sockets live in
 * the VM's folder; unix socket paths are limited to 107 bytes, so keep it short.
 */
export async function launchVm(spec: VmSpec, opts: LaunchOptions): Promise<RunningVm> {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The same folder layout as the qemu substrate's VMs.
  const paths: VmPaths = { ...vmPaths(dir).paths };
  if (!fs.existsSync(paths.ovmfVars))
    fs.copyFileSync(spec.directKernel ? OVMF_VARS_NO_KEYS : OVMF_VARS_ENROLLED, paths.ovmfVars);
  fs.writeFileSync(paths.consoleLog, '');
  const { accel, reason } = await chooseAccelerator(opts.accel ?? 'auto');
  const tpm: Swtpm = await startSwtpm(path.join(dir, 'tpm'));
  paths.tpmSocket = tpm.socket;
  const proc = execa('qemu-system-x86_64', qemuArgs(spec, paths, accel), {
    reject: false,
    stdio: ['ignore', 'ignore', 'pipe'],
    all: false,
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const consoleText = () => fs.readFileSync(paths.consoleLog, 'latin1');
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await proc;
    await tpm.stop();
  };
  return {
    spec,
    accel,
    accelReason: reason,
    paths,
    process: proc,
    consoleText,
    stderr: () => stderr,
    stop,
  };
}
