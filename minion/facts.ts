import fs from 'node:fs';
import os from 'node:os';
import si from 'systeminformation';
import type { Facts } from '../proto/gen/kubedos/v1/Facts.ts';

export const MINION_VERSION = '0.1.0';

export interface HardwareIdentity {
  smbiosUuid: string;
  smbiosSerial: string;
}

/** The SMBIOS system UUID and serial, as the firmware reports them (Proxmox sets these per VM). */
export async function readHardwareIdentity(): Promise<HardwareIdentity> {
  const system = await si.system();
  return { smbiosUuid: (system.uuid ?? '').toLowerCase(), smbiosSerial: system.serial ?? '' };
}

/**
 * The container manager this minion runs under, as systemd records it
 * (/run/systemd/container: "systemd-nspawn", "docker", ...), or "" on a VM
 * or bare metal. Some tasks cannot work in a container (kernel modules, a
 * kernel NFS server); the executor reports those instead of failing.
 */
export function detectContainer(): string {
  try {
    return fs.readFileSync('/run/systemd/container', 'utf8').trim();
  } catch {
    return process.env.container ?? '';
  }
}

/**
 * "v2" when /sys/fs/cgroup is the unified hierarchy (what Debian 13 boots
 * with), else "v1" (a legacy or hybrid host, as a container on such a host
 * sees it). The kubelet runs on v1 only when told to (failCgroupV1: false).
 */
export function detectCgroupVersion(root = '/sys/fs/cgroup'): 'v1' | 'v2' {
  return fs.existsSync(`${root}/cgroup.controllers`) ? 'v2' : 'v1';
}

/** What the hub is told about the machine; cheap enough to gather at every session start. */
export async function gatherFacts(identity: HardwareIdentity): Promise<Facts> {
  const [osInfo, cpu, mem] = await Promise.all([si.osInfo(), si.cpu(), si.mem()]);
  const nics = Object.entries(os.networkInterfaces()).map(([name, list]) => ({
    name,
    addresses: (list ?? []).filter((a) => !a.internal).map((a) => a.address),
  }));
  const addresses = nics.flatMap((n) => n.addresses);
  return {
    hostname: os.hostname(),
    os: `${osInfo.distro} ${osInfo.release}`.trim(),
    kernel: osInfo.kernel,
    arch: osInfo.arch,
    cpus: cpu.cores,
    memoryBytes: mem.total,
    smbiosUuid: identity.smbiosUuid,
    smbiosSerial: identity.smbiosSerial,
    addresses,
    minionVersion: MINION_VERSION,
    interfaces: nics.filter((n) => n.addresses.length > 0),
    container: detectContainer(),
    cgroup: detectCgroupVersion(),
  };
}
