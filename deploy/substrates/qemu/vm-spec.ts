import type { Accelerator } from './accelerator.ts';

/** Debian's ovmf: Secure Boot capable firmware, and a variables store with Microsoft's and Debian's keys enrolled (SB on). */
export const OVMF_CODE_SECBOOT = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd';
export const OVMF_VARS_ENROLLED = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd';
/** The same firmware's variables with no key enrolled: Secure Boot stays off (a kernel booted directly is not shim's). */
export const OVMF_VARS_NO_KEYS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/** A TCP port forwarded from inside the guest's user network to a host address (only loopback is used). */
export interface GuestForward {
  guestIp: string;
  guestPort: number;
  hostIp: '127.0.0.1';
  hostPort: number;
}

/** The VM, described the way a Proxmox VM config is (q35, OVMF, TPM, agent, ISO on ide2, disk on scsi0). */
export interface VmSpec {
  name: string;
  cores: number;
  memoryMiB: number;
  iso?: string;
  /** A second CD-ROM: the node's seed medium (KDSEED), beside the platform ISO. */
  seed?: string;
  disk?: string;
  /** The disk's serial number (how a seed can name it: /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_<serial>). */
  diskSerial?: string;
  /** A tap on the lab's bridge instead of user networking, with the node's MAC (its seed matches the NIC by it). */
  tap?: { ifname: string; mac: string };
  smbiosUuid?: string;
  /** QEMU user networking, restricted: no way out except the forwards listed. */
  forwards?: GuestForward[];
  /** Exit instead of rebooting (the end of an install), so the next start can boot the disk. */
  noReboot?: boolean;
  /** Boot from the CD first (an install), the disk, or the disk and then the CD (Proxmox's boot order scsi0;ide2). */
  bootFrom?: 'cdrom' | 'disk' | 'disk-then-cdrom';
  /**
   * Boot this kernel directly, with these arguments (the ISO's live system
   * without its installer: the installer's refusal test runs it by hand).
   * Secure Boot is off then: the firmware gets variables with no key enrolled.
   */
  directKernel?: { kernel: string; initrd: string; append: string };
}

export interface VmPaths {
  ovmfVars: string;
  tpmSocket: string;
  consoleLog: string;
  qgaSocket: string;
  qmpSocket: string;
}

/**
 * QEMU's arguments for the spec. Pure, so a test can check the VM shape
 * without starting anything. Device layout follows what Proxmox generates
 * for `machine: q35, bios: ovmf, efidisk0 (pre-enrolled-keys=1), tpmstate0
 * (v2.0), agent: 1, ide2: cdrom, scsi0 + virtio-scsi-pci, net0: virtio`.
 */
export function qemuArgs(spec: VmSpec, paths: VmPaths, accel: Accelerator): string[] {
  const args = [
    '-name', spec.name,
    '-machine', 'q35,smm=on',
    // Under TCG one thread runs all of a VM's vCPUs: multi-threaded TCG on this
    // 2-core machine double-faulted a 6.12 guest kernel in SLUB's cmpxchg16b.
    '-accel', accel === 'tcg' ? 'tcg,thread=single' : accel,
    '-global', 'driver=cfi.pflash01,property=secure,value=on',
    '-global', 'ICH9-LPC.disable_s3=1',
    '-drive', `if=pflash,unit=0,format=raw,readonly=on,file=${OVMF_CODE_SECBOOT}`,
    '-drive', `if=pflash,unit=1,format=raw,file=${paths.ovmfVars}`,
    '-cpu', accel === 'kvm' ? 'host' : 'qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt',
    '-smp', String(spec.cores),
    '-m', String(spec.memoryMiB),
    '-nodefaults',
    '-display', 'none',
    '-vga', 'std',
    '-chardev', `socket,id=tpmchar,path=${paths.tpmSocket}`,
    '-tpmdev', 'emulator,id=tpmdev,chardev=tpmchar',
    '-device', 'tpm-tis,tpmdev=tpmdev',
    '-chardev', `socket,id=qga0,path=${paths.qgaSocket},server=on,wait=off`,
    '-device', 'virtio-serial,id=qga0',
    '-device', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0',
    '-chardev', `socket,id=qmp,path=${paths.qmpSocket},server=on,wait=off`,
    '-mon', 'chardev=qmp,mode=control',
    '-chardev', `file,id=console,path=${paths.consoleLog}`,
    '-serial', 'chardev:console',
    '-device', 'virtio-scsi-pci,id=scsihw0',
  ]; // prettier-ignore
  if (spec.noReboot) args.push('-no-reboot');
  if (spec.directKernel)
    args.push(
      '-kernel', spec.directKernel.kernel,
      '-initrd', spec.directKernel.initrd,
      '-append', spec.directKernel.append,
    ); // prettier-ignore
  if (spec.smbiosUuid) args.push('-smbios', `type=1,uuid=${spec.smbiosUuid}`);
  const cdBoot = spec.bootFrom === 'cdrom' || spec.bootFrom === undefined;
  const cdIndex = cdBoot ? ',bootindex=100' : spec.bootFrom === 'disk-then-cdrom' ? ',bootindex=101' : '';
  if (spec.iso) {
    args.push('-drive', `file=${spec.iso},if=none,id=drive-ide2,media=cdrom,readonly=on`);
    args.push('-device', `ide-cd,bus=ide.1,unit=0,drive=drive-ide2,id=ide2${cdIndex}`);
  }
  if (spec.seed) {
    args.push('-drive', `file=${spec.seed},if=none,id=drive-ide3,media=cdrom,readonly=on`);
    args.push('-device', 'ide-cd,bus=ide.2,unit=0,drive=drive-ide3,id=ide3');
  }
  if (spec.disk) {
    args.push('-drive', `file=${spec.disk},if=none,id=drive-scsi0,format=qcow2,cache=unsafe,discard=on`);
    args.push(
      '-device',
      `scsi-hd,bus=scsihw0.0,drive=drive-scsi0,id=scsi0${spec.diskSerial ? `,serial=${spec.diskSerial}` : ''}${cdBoot ? ',bootindex=200' : ',bootindex=100'}`,
    );
  }
  if (spec.tap) {
    args.push('-netdev', `tap,id=net0,ifname=${spec.tap.ifname},script=no,downscript=no`);
    args.push('-device', `virtio-net-pci,netdev=net0,id=net0,mac=${spec.tap.mac}`);
    return args;
  }
  const fwd = (spec.forwards ?? []).map(
    (f) => `,guestfwd=tcp:${f.guestIp}:${f.guestPort}-tcp:${f.hostIp}:${f.hostPort}`,
  );
  args.push('-netdev', `user,id=net0,restrict=on${fwd.join('')}`);
  args.push('-device', 'virtio-net-pci,netdev=net0,id=net0');
  return args;
}
