import fs from 'node:fs';
import path from 'node:path';
import { run } from './tools.ts';

/**
 * The boot chain every ISO shares, built once per build:
 *  - UEFI: an El Torito EFI image (FAT) holding Debian's shim (signed by
 *    Microsoft's UEFI CA, from shim-signed) as BOOTX64.EFI and Debian's signed
 *    CD GRUB (gcdx64, from grub-efi-amd64-signed) as grubx64.efi, so Secure
 *    Boot verifies shim → GRUB → the installer's signed kernel.
 *  - BIOS: a GRUB El Torito core image plus GRUB's hybrid MBR (grub-pc-bin),
 *    so the same file boots from CD and from a USB stick/disk.
 * Both GRUBs read /boot/grub/grub.cfg on the ISO (gcdx64 finds it through /.disk/info).
 */
export const GRUB_BIOS_DIR = '/usr/lib/grub/i386-pc';
export const GRUB_HYBRID_MBR = `${GRUB_BIOS_DIR}/boot_hybrid.img`;

/** Modules built into the BIOS core image: enough to read the ISO, show a serial console and boot Linux. */
const BIOS_MODULES = [
  'biosdisk',
  'iso9660',
  'part_msdos',
  'part_gpt',
  'normal',
  'configfile',
  'linux',
  'search',
  'search_fs_file',
  'serial',
  'terminal',
  'echo',
  'test',
  'gzio',
];

export interface BootMedia {
  efiImage: string;
  biosImage: string;
  grubCfg: string;
}

/** The EFI binaries and GRUB config of a boot chain: the platform image's own (platform-iso.ts). */
export interface BootChain {
  shim: string;
  grubCd: string;
  grubCfg: string;
}

export async function buildBootMedia(workDir: string, epoch: number, chain: BootChain): Promise<BootMedia> {
  fs.mkdirSync(workDir, { recursive: true });
  const env = { SOURCE_DATE_EPOCH: String(epoch) };
  const efiImage = path.join(workDir, 'efi.img');
  fs.rmSync(efiImage, { force: true });
  // --invariant and a fixed volume id, and mtools' SOURCE_DATE_EPOCH: the same bytes on every build.
  await run('mkfs.fat', ['-C', '--invariant', '-i', '4b444f53', '-n', 'KUBEDOSEFI', efiImage, '8192']);
  await run('mmd', ['-i', efiImage, '::/EFI', '::/EFI/boot'], { env });
  await run('mcopy', ['-i', efiImage, chain.shim, '::/EFI/boot/bootx64.efi'], { env });
  await run('mcopy', ['-i', efiImage, chain.grubCd, '::/EFI/boot/grubx64.efi'], { env });
  const biosImage = path.join(workDir, 'eltorito.img');
  await run('grub-mkimage', ['-O', 'i386-pc-eltorito', '-p', '/boot/grub', '-o', biosImage, ...BIOS_MODULES]);
  const grubCfg = path.join(workDir, 'grub.cfg');
  fs.writeFileSync(grubCfg, chain.grubCfg);
  return { efiImage, biosImage, grubCfg };
}
