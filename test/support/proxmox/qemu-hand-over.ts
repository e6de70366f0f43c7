import fs from 'node:fs';
import path from 'node:path';
import { stopDaemonVm, vmPaths } from '../../../deploy/substrates/qemu/daemon-vm.ts';
import type { Topology } from '../../../shared/topology/model.ts';
import type { LocalPve } from './local-pve.ts';
import type { QemuBackend } from './vm-backend.ts';

/**
 * One three-VM install serves both the Proxmox driver's checks and the qemu
 * substrate's: the VMs the local Proxmox API installed are powered off
 * cleanly (through their guest agents, as `qm shutdown` does), and their
 * disks, firmware variables and TPM state are laid out the way
 * `kubedos up --substrate qemu` keeps an installed node in its run dir, so
 * that `up` boots them without installing (same MAC, SMBIOS UUID and disk
 * serial: the same machines). `handBack` puts the disks back on the
 * Proxmox storage afterwards, for `kubedos destroy` to remove.
 */
export async function handOverToQemuRun(
  pve: LocalPve,
  backend: QemuBackend,
  t: Topology,
  runRoot: string,
  deployRunRoot: string,
): Promise<void> {
  // The same deployment: its secrets (the darksite key, so the same image and ISO, taken from the cache).
  fs.cpSync(path.join(deployRunRoot, 'secrets'), path.join(runRoot, 'secrets'), { recursive: true });
  // A clean power-off of every VM at once; the local API then reads them as stopped, as Proxmox would.
  await Promise.all(
    t.nodes.map((n) => stopDaemonVm(vmPaths(backend.dirOf(pve.vms.get(n.vmid)!)!), { graceMs: 120_000 })),
  );
  for (const n of t.nodes) {
    const vm = pve.vms.get(n.vmid)!;
    const dir = backend.dirOf(vm)!;
    const nodeDir = path.join(runRoot, 'nodes', n.hostname);
    fs.mkdirSync(path.join(nodeDir, 'vm', 'tpm'), { recursive: true, mode: 0o700 });
    fs.renameSync(diskOf(pve, vm.node, vm.config.scsi0!), path.join(nodeDir, 'disk.qcow2'));
    fs.copyFileSync(path.join(dir, 'OVMF_VARS.fd'), path.join(nodeDir, 'vm', 'OVMF_VARS.fd'));
    for (const f of fs.readdirSync(path.join(dir, 'tpm')).filter((f) => !/\.(sock|pid|log)$/.test(f)))
      fs.copyFileSync(path.join(dir, 'tpm', f), path.join(nodeDir, 'vm', 'tpm', f));
    fs.writeFileSync(
      path.join(nodeDir, 'installed.json'),
      JSON.stringify({ from: `local Proxmox VM ${vm.vmid}`, at: Date.now() }) + '\n',
    );
  }
}

export function handBack(pve: LocalPve, t: Topology, runRoot: string): void {
  for (const n of t.nodes) {
    const vm = pve.vms.get(n.vmid)!;
    fs.renameSync(path.join(runRoot, 'nodes', n.hostname, 'disk.qcow2'), diskOf(pve, vm.node, vm.config.scsi0!));
  }
}

const diskOf = (pve: LocalPve, node: string, scsi0: string) => pve.volumePath(node, scsi0.split(',')[0]!);
