import type { Topology } from '../../../shared/topology/model.ts';
import { isoStorageOf } from './media-store.ts';

/**
 * The privileges kubedos's Proxmox driver needs, read from the official
 * schema of each call it makes (../shared/proxmox): the role of
 * docs/proxmox.md. Where a call accepts any of several privileges, the one
 * another call needs anyway is kept, so nothing is granted twice:
 *   VM.GuestAgent.Unrestricted (PVE 8: VM.Monitor) runs commands in a VM
 *     (agent/exec: the installer's status, hubctl on the master), and also
 *     covers ping, get-osinfo, network-get-interfaces and file-read, which
 *     accept it: VM.GuestAgent.Audit and .FileRead are not asked for;
 *   Datastore.AllocateSpace (disks, the EFI and TPM volumes) also covers
 *     listing a storage's content: Datastore.Audit is not asked for;
 *   Datastore.Allocate deletes what kubedos uploaded (media, seeds);
 *   VM.Config.* are checked per setting by Proxmox: kubedos sets the disks,
 *     the CD-ROMs, CPU, memory, the NIC, the firmware and TPM (HWType) and
 *     its options (name, tags, description, boot order, agent, SMBIOS);
 *   SDN.Use is the bridge the NIC joins.
 * Not asked for: Sys.Audit (a token reads the tasks it started itself).
 */
export function deployerPrivileges(pveMajor: number): string[] {
  return [
    'VM.Allocate',
    'VM.Audit',
    'VM.PowerMgmt',
    'VM.Config.Disk',
    'VM.Config.CDROM',
    'VM.Config.CPU',
    'VM.Config.Memory',
    'VM.Config.Network',
    'VM.Config.HWType',
    'VM.Config.Options',
    pveMajor >= 9 ? 'VM.GuestAgent.Unrestricted' : 'VM.Monitor',
    'Datastore.Allocate',
    'Datastore.AllocateSpace',
    'Datastore.AllocateTemplate',
    'SDN.Use',
  ];
}

/** The role's name in Proxmox. */
export const DEPLOYER_ROLE = 'KubedosDeployer';

/**
 * The paths the role is needed on, and no wider: each VM of the topology,
 * the two storages (disks; media), and the bridge (SDN.Use on a plain
 * bridge is /sdn/zones/localnetwork/BRIDGE).
 */
export function deployerPaths(t: Topology): string[] {
  return [
    ...t.nodes.map((n) => `/vms/${n.vmid}`),
    ...new Set([`/storage/${t.proxmox.storage}`, `/storage/${isoStorageOf(t)}`]),
    `/sdn/zones/localnetwork/${t.proxmox.bridge}`,
  ];
}

/**
 * The pveum commands that make the user, the role and a privilege-separated
 * token, granted on deployerPaths only. A separated token's rights are what
 * both it and its user are granted, so both get the role there.
 */
export function pveumCommands(t: Topology, pveMajor: number, user = 'kubedos@pve', token = 'deploy'): string[] {
  const id = `${user}!${token}`;
  return [
    `pveum user add ${user} --comment "kubedos deployer (${t.name})"`,
    `pveum role add ${DEPLOYER_ROLE} --privs "${deployerPrivileges(pveMajor).join(' ')}"`,
    `pveum user token add ${user} ${token} --privsep 1   # prints the secret once: ${id}=SECRET`,
    ...deployerPaths(t).map((p) => `pveum acl modify ${p} --users ${user} --tokens '${id}' --roles ${DEPLOYER_ROLE}`),
  ];
}
