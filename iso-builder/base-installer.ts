import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../shared/errors.ts';
import { checkReadableFile } from './payload.ts';
import { run } from './tools.ts';

/** Debian's packaged installer images (debian-installer-12-netboot-amd64): the default base, no download. */
export const PACKAGED_INSTALLER_DIR = '/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64';

export interface BaseInstaller {
  kernel: string;
  initrd: string;
  source: string;
}

/**
 * The installer kernel (Debian-signed, so Secure Boot accepts it through
 * shim) and initrd. From the operator's --base-iso (a Debian netinst) when
 * given, else from the packaged netboot images.
 */
export async function locateBaseInstaller(baseIso: string | undefined, workDir: string): Promise<BaseInstaller> {
  if (!baseIso) {
    const kernel = path.join(PACKAGED_INSTALLER_DIR, 'linux');
    const initrd = path.join(PACKAGED_INSTALLER_DIR, 'initrd.gz');
    if (!fs.existsSync(kernel) || !fs.existsSync(initrd)) {
      throw new UserError(
        `no base installer: ${PACKAGED_INSTALLER_DIR} is missing`,
        'install debian-installer-12-netboot-amd64, or pass --base-iso <debian netinst ISO>',
      );
    }
    return { kernel, initrd, source: 'debian-installer-12-netboot-amd64' };
  }
  checkReadableFile(baseIso, 'base ISO');
  const out = path.join(workDir, 'base-installer');
  fs.mkdirSync(out, { recursive: true });
  const kernel = path.join(out, 'vmlinuz');
  const initrd = path.join(out, 'initrd.gz');
  try {
    await run('xorriso', [
      '-osirrox',
      'on',
      '-indev',
      baseIso,
      '-extract',
      '/install.amd/vmlinuz',
      kernel,
      '-extract',
      '/install.amd/initrd.gz',
      initrd,
    ]);
  } catch (err) {
    throw new UserError(
      `${baseIso} is not a Debian amd64 installer ISO (no /install.amd/vmlinuz and initrd.gz): ${(err as Error).message}`,
    );
  }
  return { kernel, initrd, source: path.resolve(baseIso) };
}
