import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { run, runBinary } from './tools.ts';

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
export const SHIM = '/usr/lib/shim/shimx64.efi.signed';
export const GRUB_EFI_CD = '/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed';
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

/** Kernel command line: hands-off (auto, critical priority) with the console on the first serial port. */
export const KERNEL_ARGS = 'auto=true priority=critical console=tty0 console=ttyS0,115200n8 ---';

export function grubConfig(): string {
  return `# kubedos installer; generated, do not edit.
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=1
set default=0
menuentry 'kubedos unattended install' {
  linux /install/vmlinuz ${KERNEL_ARGS}
  initrd /install/initrd.gz /install/kubedos.gz
}
`;
}

/** The EFI binaries and GRUB config of a boot chain; the defaults are the build host's own (the installer ISOs). */
export interface BootChain {
  shim: string;
  grubCd: string;
  grubCfg: string;
}

export async function buildBootMedia(
  workDir: string,
  epoch: number,
  chain: BootChain = { shim: SHIM, grubCd: GRUB_EFI_CD, grubCfg: grubConfig() },
): Promise<BootMedia> {
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

/**
 * A gzip'd newc cpio appended after the installer's own initrd: the kernel
 * unpacks both, so /preseed.cfg appears at the initrd root, where the
 * installer loads it before asking anything. Files are root-owned, dated
 * SOURCE_DATE_EPOCH, in sorted order; gzip without a name or time.
 */
export async function buildInitrdOverlay(dir: string, out: string, epoch: number): Promise<void> {
  const names: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      names.push(r);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const n of names) fs.utimesSync(path.join(dir, n), epoch, epoch);
  const archive = await runBinary('cpio', ['--create', '--format=newc', '--owner=0:0', '--reproducible', '--quiet'], {
    cwd: dir,
    input: names.join('\n') + '\n',
  });
  fs.writeFileSync(out, zlib.gzipSync(archive, { level: 9 }));
}
