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

/** What the hub is told about the machine; cheap enough to gather at every session start. */
export async function gatherFacts(identity: HardwareIdentity): Promise<Facts> {
  const [osInfo, cpu, mem] = await Promise.all([si.osInfo(), si.cpu(), si.mem()]);
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && !a.internal)
    .map((a) => a.address);
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
  };
}
