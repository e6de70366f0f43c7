import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { GuestAgent } from '../../../shared/guest-agent/qga-client.ts';
import type { Accelerator } from './accelerator.ts';
import { OVMF_VARS_ENROLLED, qemuArgs, type VmPaths, type VmSpec } from './vm-spec.ts';

/** A lab VM that outlives the command that started it: QEMU and its swtpm as daemons, known by their pid files. */
export interface DaemonVm {
  name: string;
  dir: string;
  paths: VmPaths;
  qemuPidFile: string;
  swtpmPidFile: string;
  agent: GuestAgent;
}

export function vmPaths(dir: string): DaemonVm {
  const paths: VmPaths = {
    ovmfVars: path.join(dir, 'OVMF_VARS.fd'),
    tpmSocket: path.join(dir, 'tpm', 'swtpm.sock'),
    consoleLog: path.join(dir, 'console.log'),
    qgaSocket: path.join(dir, 'qga.sock'),
    qmpSocket: path.join(dir, 'qmp.sock'),
  };
  return {
    name: path.basename(dir),
    dir,
    paths,
    qemuPidFile: path.join(dir, 'qemu.pid'),
    swtpmPidFile: path.join(dir, 'tpm', 'swtpm.pid'),
    agent: new GuestAgent(paths.qgaSocket),
  };
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process in the pid file runs and is the program named (a reused pid is not ours). */
export function isRunning(pidFile: string, program: string): boolean {
  const pid = readPid(pidFile);
  if (!pid) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0]!.endsWith(program);
  } catch {
    return false;
  }
}

/**
 * Starts the VM's swtpm and QEMU as daemons (QEMU's -daemonize returns once
 * the VM is set up, so a bad argument is an error here, not a silent exit).
 * The console log is appended to, so an install and the boots after it read
 * as one story.
 */
export async function startDaemonVm(spec: VmSpec, dir: string, accel: Accelerator): Promise<DaemonVm> {
  const vm = vmPaths(path.resolve(dir));
  fs.mkdirSync(path.join(vm.dir, 'tpm'), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(vm.paths.ovmfVars)) fs.copyFileSync(OVMF_VARS_ENROLLED, vm.paths.ovmfVars);
  if (isRunning(vm.qemuPidFile, 'qemu-system-x86_64')) throw new Error(`${spec.name} is already running`);
  fs.rmSync(vm.paths.tpmSocket, { force: true });
  await execa('swtpm', [
    'socket', '--tpm2', '--daemon',
    '--tpmstate', `dir=${path.join(vm.dir, 'tpm')}`,
    '--ctrl', `type=unixio,path=${vm.paths.tpmSocket}`,
    '--pid', `file=${vm.swtpmPidFile}`,
    '--log', `file=${path.join(vm.dir, 'tpm', 'swtpm.log')}`,
    '--terminate',
  ]); // prettier-ignore
  const args = qemuArgs(spec, vm.paths, accel).map((a) =>
    a === `file,id=console,path=${vm.paths.consoleLog}` ? `file,id=console,path=${vm.paths.consoleLog},append=on` : a,
  );
  await execa('qemu-system-x86_64', [...args, '-daemonize', '-pidfile', vm.qemuPidFile]);
  return vm;
}

/** Stops QEMU (a clean ACPI power-off first when asked, then SIGTERM) and its swtpm. */
export async function stopDaemonVm(vm: DaemonVm, opts: { graceMs?: number } = {}): Promise<void> {
  const pid = readPid(vm.qemuPidFile);
  if (pid && isRunning(vm.qemuPidFile, 'qemu-system-x86_64')) {
    if (opts.graceMs) {
      await vm.agent.command('guest-shutdown', { mode: 'powerdown' }, 3_000).catch(() => undefined);
      const until = Date.now() + opts.graceMs;
      while (Date.now() < until && isRunning(vm.qemuPidFile, 'qemu-system-x86_64'))
        await new Promise((r) => setTimeout(r, 500));
    }
    if (isRunning(vm.qemuPidFile, 'qemu-system-x86_64')) signal(pid, 'SIGTERM');
    while (isRunning(vm.qemuPidFile, 'qemu-system-x86_64')) await new Promise((r) => setTimeout(r, 100));
  }
  const tpm = readPid(vm.swtpmPidFile);
  if (tpm && isRunning(vm.swtpmPidFile, 'swtpm')) signal(tpm, 'SIGTERM');
  fs.rmSync(vm.qemuPidFile, { force: true });
}

/** A signal to a process that may have exited since it was looked at (two `down`s at once, a VM powering off). */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
