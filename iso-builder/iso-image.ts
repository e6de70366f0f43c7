import fs from 'node:fs';
import path from 'node:path';
import { GRUB_HYBRID_MBR, type BootMedia } from './boot-media.ts';
import { run } from './tools.ts';

/** A file placed in the ISO: its path inside the image and the file on the build host it comes from. */
export interface Graft {
  isoPath: string;
  from: string;
}

export interface IsoImageInput {
  output: string;
  volumeId: string;
  boot: BootMedia;
  /** Folders whose whole content goes at the ISO root (the darksite snapshot). */
  rootTrees: string[];
  grafts: Graft[];
  epoch: number;
}

/**
 * Assembles a hybrid ISO with xorriso: El Torito BIOS (GRUB) and UEFI (the
 * FAT image, also appended as a GPT EFI partition so the file boots as a
 * disk), GRUB's hybrid MBR. Inputs are mapped in place (nothing is copied
 * first); SOURCE_DATE_EPOCH fixes the volume dates and UUIDs and
 * --set_all_file_dates every file's dates, and the
 * ISO's directory order is sorted by name, so equal inputs give equal bytes.
 * Written to a temp name and renamed, so no half-written ISO ever sits
 * under the final name.
 */
export async function writeIsoImage(input: IsoImageInput): Promise<void> {
  const tmp = path.join(path.dirname(input.output), `.${path.basename(input.output)}.${process.pid}.partial`);
  fs.rmSync(tmp, { force: true });
  const grafts = [
    ...input.rootTrees.map((t) => `/=${t}`),
    `/boot/grub/grub.cfg=${input.boot.grubCfg}`,
    `/boot/grub/i386-pc/eltorito.img=${input.boot.biosImage}`,
    `/boot/grub/efi.img=${input.boot.efiImage}`,
    ...input.grafts.map((g) => `${g.isoPath}=${g.from}`),
  ];
  const args = [
    '-as', 'mkisofs',
    '-quiet',
    '-r', '-J', '-joliet-long',
    '-V', input.volumeId,
    '--set_all_file_dates', `=${input.epoch}`,
    '-o', tmp,
    '--grub2-mbr', GRUB_HYBRID_MBR,
    '-partition_offset', '16',
    '--mbr-force-bootable',
    '-append_partition', '2', '0xef', input.boot.efiImage,
    '-appended_part_as_gpt',
    '-iso_mbr_part_type', 'a2a0d0ebe5b9334487c068b6b72699c7',
    '-c', '/boot/grub/boot.cat',
    '-b', '/boot/grub/i386-pc/eltorito.img', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '--grub2-boot-info',
    '-eltorito-alt-boot',
    '-e', '--interval:appended_partition_2:all::', '-no-emul-boot',
    '-graft-points',
    ...grafts,
  ]; // prettier-ignore
  try {
    await run('xorriso', args, { env: { SOURCE_DATE_EPOCH: String(input.epoch) } });
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // The ISO carries a node credential (and, for the master, the hub's TLS key): owner-only.
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, input.output);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
