import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePrivateDir } from '../shared/fs/atomic-write.ts';
import { UserError } from '../shared/errors.ts';
import { run } from './tools.ts';

/**
 * The per-deployment OpenPGP key that signs the darksite snapshot's Release.
 * It lives in the deployment secrets folder (<secrets>/darksite-gpg, 0700)
 * and never leaves it: ISOs carry only the public half, which the installer
 * and the installed node's APT use as the only key for the snapshot.
 */
export interface DarksiteKey {
  homedir: string;
  fingerprint: string;
  /** Binary (non-armored) public key, the format apt's signed-by and gpgv --keyring accept. */
  publicKey: Buffer;
}

const DIR_NAME = 'darksite-gpg';
/** 2020-01-01T00:00:00Z: the creation time written into every darksite key. */
export const KEY_CREATION_EPOCH = 1577836800;

/**
 * gpg-agent puts its sockets in the home directory, and a unix socket path
 * has at most 107 bytes: under a deployment's state dir that is too long
 * ("gpg: key generation failed: No agent running"). gpg is therefore given
 * a short alias: a link in a private folder (0700, this user's) under the
 * temp dir, named by a hash of the real path, so every call for one home
 * reaches the same agent.
 */
function shortHome(homedir: string): string {
  const base = path.join(os.tmpdir(), `kd-gpg-${process.getuid?.() ?? 0}`);
  fs.mkdirSync(base, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(base);
  if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? st.uid) || (st.mode & 0o077) !== 0)
    throw new UserError(`${base} is not a private folder of this user; remove it and try again`);
  const real = path.resolve(homedir);
  const alias = path.join(base, crypto.createHash('sha256').update(real).digest('hex').slice(0, 16));
  let current: string | undefined;
  try {
    current = fs.readlinkSync(alias);
  } catch {
    current = undefined;
  }
  if (current !== real) {
    fs.rmSync(alias, { force: true });
    fs.symlinkSync(real, alias);
  }
  return alias;
}

async function gpg(homedir: string, args: string[]): Promise<string> {
  return (await run('gpg', ['--homedir', shortHome(homedir), '--batch', '--no-tty', '--quiet', ...args])).stdout;
}

async function fingerprintOf(homedir: string): Promise<string> {
  const listing = await gpg(homedir, ['--with-colons', '--list-secret-keys']);
  const fpr = listing.split('\n').find((l) => l.startsWith('fpr:'));
  if (!fpr) throw new Error(`no secret key in ${homedir}`);
  return fpr.split(':')[9]!;
}

async function stopAgent(homedir: string): Promise<void> {
  await run('gpgconf', ['--homedir', shortHome(homedir), '--kill', 'gpg-agent']).catch(() => undefined);
}

export async function ensureDarksiteKey(secretsDir: string, deployment: string): Promise<DarksiteKey> {
  const homedir = path.join(secretsDir, DIR_NAME);
  if (!fs.existsSync(homedir)) {
    // Made aside and renamed into place: a crash mid-generation leaves no half key.
    const tmp = path.join(secretsDir, `.${DIR_NAME}.${process.pid}.tmp`);
    fs.rmSync(tmp, { recursive: true, force: true });
    ensurePrivateDir(tmp);
    try {
      // Dated at a fixed past instant so any SOURCE_DATE_EPOCH after it can pin the signature time.
      await gpg(tmp, [
        '--faked-system-time',
        `${KEY_CREATION_EPOCH}!`,
        '--passphrase',
        '',
        '--quick-gen-key',
        `kubedos darksite ${deployment}`,
        'ed25519',
        'sign',
        'never',
      ]);
    } finally {
      await stopAgent(tmp);
    }
    fs.renameSync(tmp, homedir);
  }
  const fingerprint = await fingerprintOf(homedir);
  const exported = path.join(homedir, 'darksite.pub.gpg');
  await gpg(homedir, ['--yes', '--output', exported, '--export', fingerprint]);
  const publicKey = fs.readFileSync(exported);
  await stopAgent(homedir);
  return { homedir, fingerprint, publicKey };
}

/**
 * Signs a Release file as Release.gpg and InRelease. The signature time is
 * pinned to SOURCE_DATE_EPOCH: Ed25519 signatures are deterministic, so the
 * same Release and key always give the same bytes.
 */
export async function signRelease(key: DarksiteKey, releaseFile: string, epoch: number): Promise<void> {
  if (epoch < KEY_CREATION_EPOCH)
    throw new UserError(`SOURCE_DATE_EPOCH ${epoch} is before ${KEY_CREATION_EPOCH} (2020-01-01)`);
  const dir = path.dirname(releaseFile);
  const common = ['--faked-system-time', `${epoch}!`, '--digest-algo', 'SHA512', '--local-user', key.fingerprint];
  try {
    await gpg(key.homedir, [
      ...common,
      '--yes',
      '--armor',
      '--detach-sign',
      '-o',
      path.join(dir, 'Release.gpg'),
      releaseFile,
    ]);
    await gpg(key.homedir, [...common, '--yes', '--clearsign', '-o', path.join(dir, 'InRelease'), releaseFile]);
  } finally {
    await stopAgent(key.homedir);
  }
}
