import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { chooseAccelerator, type Accelerator } from '../../../deploy/substrates/qemu/accelerator.ts';
import { isRunning, startDaemonVm, stopDaemonVm, vmPaths } from '../../../deploy/substrates/qemu/daemon-vm.ts';
import { addBridge, addTap, removeLink, tapName } from '../../../deploy/substrates/qemu/lab-network.ts';
import type { VmSpec } from '../../../deploy/substrates/qemu/vm-spec.ts';
import { GuestAgent } from '../../../shared/guest-agent/qga-client.ts';
import type { LocalPve, PveVm } from './local-pve.ts';

/** What runs a local Proxmox API's VMs. */
export interface VmBackend {
  /** Makes a disk volume's file (scsi0: a qcow2 of that size; efidisk0, tpmstate0: small files). */
  allocate(file: string, key: string, sizeGiB: number): Promise<void>;
  start(vm: PveVm, pve: LocalPve): Promise<void>;
  stop(vm: PveVm): Promise<void>;
  running(vm: PveVm): boolean;
  agent(vm: PveVm): GuestAgent | undefined;
  destroy(vm: PveVm): Promise<void>;
  close?(): Promise<void>;
}

/** VMs as configs only (stamping, drift, faults): started means "running", and no guest agent ever answers. */
export class MemoryBackend implements VmBackend {
  async allocate(file: string): Promise<void> {
    fs.writeFileSync(file, '');
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  running(vm: PveVm): boolean {
    return vm.running;
  }
  agent(): GuestAgent | undefined {
    return undefined;
  }
  async destroy(): Promise<void> {}
}

/**
 * Real VMs: the qemu substrate's (q35, OVMF Secure Boot with the keys
 * enrolled, swtpm TPM 2.0, the guest agent's socket), made from the
 * Proxmox config: cores, memory, scsi0 (a qcow2), ide2/ide3 (the ISO
 * volumes), net0's MAC on a tap of the API's private bridge (every
 * Proxmox bridge maps to it), smbios1's UUID, boot order disk then CD.
 * Root only (bridge, taps).
 */
export class QemuBackend implements VmBackend {
  private readonly tag: string;
  private readonly bridge: string;
  private accel: Accelerator | undefined;
  private readonly dirs = new Map<number, string>();

  constructor(tag = 'kdp') {
    this.tag = tag;
    this.bridge = `${tag}-lan`;
  }

  async allocate(file: string, key: string, sizeGiB: number): Promise<void> {
    if (key.startsWith('scsi')) await execa('qemu-img', ['create', '-q', '-f', 'qcow2', file, `${sizeGiB}G`]);
    else fs.writeFileSync(file, '');
  }

  /** Where a VM's firmware variables, TPM state, console log and sockets are (once it has started). */
  dirOf(vm: PveVm): string | undefined {
    return this.dirs.get(vm.vmid);
  }

  private dir(vm: PveVm, pve: LocalPve): string {
    let d = this.dirs.get(vm.vmid);
    if (!d) {
      d = path.join(pve.root, 'vm', String(vm.vmid));
      this.dirs.set(vm.vmid, d);
    }
    return d;
  }

  async start(vm: PveVm, pve: LocalPve): Promise<void> {
    this.accel ??= (await chooseAccelerator('auto')).accel;
    const c = vm.config;
    const vol = (key: string) => {
      const v = c[key]?.split(',')[0];
      return v && v !== 'none' ? pve.volumePath(vm.node, v) : undefined;
    };
    const mac = /virtio=([0-9A-Fa-f:]{17})/.exec(c.net0 ?? '')?.[1];
    if (!mac) throw new Error(`VM ${vm.vmid} has no virtio NIC with a MAC`);
    await addBridge(this.bridge);
    const tap = tapName(this.tag, vm.vmid);
    await addTap(tap, this.bridge);
    const order = /order=([^,]+)/.exec(c.boot ?? '')?.[1]?.split(';') ?? ['scsi0'];
    const iso = vol('ide2');
    const seed = vol('ide3');
    const spec: VmSpec = {
      name: `${this.tag}-${vm.vmid}`,
      cores: Number(c.cores ?? 1),
      memoryMiB: Number(/(\d+)/.exec(c.memory ?? '512')?.[1]),
      disk: vol('scsi0')!,
      diskSerial: `kd${vm.vmid}`,
      ...(iso ? { iso } : {}),
      ...(seed ? { seed } : {}),
      tap: { ifname: tap, mac: mac.toLowerCase() },
      ...(/uuid=([0-9a-f-]{36})/i.exec(c.smbios1 ?? '')
        ? { smbiosUuid: /uuid=([0-9a-f-]{36})/i.exec(c.smbios1!)![1]! }
        : {}),
      bootFrom:
        order[0] === 'scsi0' && order.includes('ide2') && iso
          ? 'disk-then-cdrom'
          : order[0] === 'ide2'
            ? 'cdrom'
            : 'disk',
    };
    const dir = this.dir(vm, pve);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    await startDaemonVm(spec, dir, this.accel);
  }

  async stop(vm: PveVm): Promise<void> {
    const dir = this.dirs.get(vm.vmid);
    if (dir) await stopDaemonVm(vmPaths(dir));
  }

  running(vm: PveVm): boolean {
    const dir = this.dirs.get(vm.vmid);
    return !!dir && isRunning(vmPaths(dir).qemuPidFile, 'qemu-system-x86_64');
  }

  agent(vm: PveVm): GuestAgent | undefined {
    const dir = this.dirs.get(vm.vmid);
    return dir ? new GuestAgent(vmPaths(dir).paths.qgaSocket) : undefined;
  }

  /** The console log of a VM (what `qm terminal` would show), for a failing test's message. */
  console(vm: PveVm): string {
    const dir = this.dirs.get(vm.vmid);
    return dir && fs.existsSync(vmPaths(dir).paths.consoleLog)
      ? fs.readFileSync(vmPaths(dir).paths.consoleLog, 'latin1')
      : '';
  }

  async destroy(vm: PveVm): Promise<void> {
    await this.stop(vm);
    const dir = this.dirs.get(vm.vmid);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    this.dirs.delete(vm.vmid);
    await removeLink(tapName(this.tag, vm.vmid));
  }

  async close(): Promise<void> {
    for (const vmid of [...this.dirs.keys()]) await removeLink(tapName(this.tag, vmid));
    await removeLink(this.bridge);
  }
}
