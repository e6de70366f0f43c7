import { execa, type Options } from 'execa';
import { UserError } from '../shared/errors.ts';

/**
 * Every external program the builder runs goes through here: argument arrays
 * only (never a shell string built from data), and a missing program becomes
 * an operator-facing error naming the Debian package that provides it.
 */
export const TOOL_PACKAGES: Record<string, string> = {
  xorriso: 'xorriso',
  'mkfs.fat': 'dosfstools',
  mcopy: 'mtools',
  mmd: 'mtools',
  'grub-mkimage': 'grub-common (with grub-pc-bin)',
  gpg: 'gpg',
  gpgv: 'gpgv',
  'apt-get': 'apt',
  'apt-ftparchive': 'apt-utils',
  'dpkg-scanpackages': 'dpkg-dev',
  'dpkg-deb': 'dpkg',
  'debconf-set-selections': 'debconf',
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
  swtpm: 'swtpm',
  swtpm_setup: 'swtpm-tools',
  mksquashfs: 'squashfs-tools',
  mmdebstrap: 'mmdebstrap',
  umoci: 'umoci',
  skopeo: 'skopeo',
  gcc: 'gcc (with libc6-dev)',
  setcap: 'libcap2-bin',
};

export interface RunResult {
  stdout: string;
  stderr: string;
}

export async function run(cmd: string, args: readonly string[], options: Options = {}): Promise<RunResult> {
  try {
    const r = await execa(cmd, args, { stripFinalNewline: false, ...options });
    return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  } catch (err) {
    return failure(cmd, err);
  }
}

function failure(cmd: string, err: unknown): never {
  {
    const e = err as { code?: string; stderr?: unknown; shortMessage?: string };
    if (e.code === 'ENOENT') {
      const pkg = TOOL_PACKAGES[cmd];
      throw new UserError(`${cmd} is not installed${pkg ? ` (Debian package ${pkg})` : ''}`);
    }
    const detail = String(e.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n');
    throw new UserError(`${cmd} failed: ${e.shortMessage ?? String(err)}${detail ? `\n${detail}` : ''}`);
  }
}

/** Fails early, before any work, when a program the build needs is missing. */
export async function requireTools(names: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const name of names) {
    const r = await execa('sh', ['-c', 'command -v "$1"', 'sh', name], { reject: false });
    if (r.exitCode !== 0) missing.push(`${name} (${TOOL_PACKAGES[name] ?? 'unknown package'})`);
  }
  if (missing.length > 0) throw new UserError(`missing programs: ${missing.join(', ')}`);
}
