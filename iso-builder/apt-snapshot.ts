import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { UserError } from '../shared/errors.ts';
import { signRelease, type DarksiteKey } from './darksite-key.ts';
import type { ExtraDeb } from './extra-debs.ts';
import { sha256Text } from './hash.ts';
import type { PackageSet } from './role-packages.ts';
import { run } from './tools.ts';

/**
 * The darksite APT snapshot: one signed repository holding the dependency
 * closure (resolved by apt itself) of every package the topology's roles
 * install, built once and shared by every ISO.
 *
 * Cache layout under cacheDir:
 *   apt/                 a private apt root (lists, downloaded .debs); the host's apt state is never touched
 *   snapshots/<key>/     finished snapshots, named by the hash of everything that decides their content
 * A second build with the same inputs finds snapshots/<key>/ and downloads nothing.
 */
export interface SnapshotOptions {
  cacheDir: string;
  packages: PackageSet;
  extraDebs: ExtraDeb[];
  key: DarksiteKey;
  epoch: number;
  /**
   * Also carry Debian's packages of these priorities: 'required' is what an
   * essential root filesystem needs (mmdebstrap), 'important' what
   * debootstrap adds for an offline base install.
   */
  basePriorities: readonly BasePriority[];
  /** The Debian release the snapshot is taken from (default DEFAULT_SUITE). */
  suite?: string;
  mirror?: string;
  onStep?: (step: string) => void;
}

export interface Snapshot {
  dir: string;
  key: string;
  packageCount: number;
  bytes: number;
  /** .deb files fetched from the network by this build (0 on a cache hit). */
  downloaded: number;
  cached: boolean;
}

/** Debian 13, the current stable: what every node runs unless the build says otherwise. */
export const DEFAULT_SUITE = 'trixie';
export type BasePriority = 'required' | 'important';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
/** Part of the cache key: bumped when the builder's output for the same inputs changes. */
const FORMAT = 3;

interface SnapshotManifest {
  format: number;
  key: string;
  files: Array<{ file: string; size: number }>;
  /** The operator's --extra-debs signed into this snapshot: each file's package and sha256, as checked. */
  extraDebs?: Array<{ package: string; file: string; sha256: string }>;
}

export function snapshotKey(opts: SnapshotOptions): string {
  return sha256Text(
    JSON.stringify({
      format: FORMAT,
      mirror: opts.mirror ?? DEFAULT_MIRROR,
      suite: suiteOf(opts),
      debian: [...opts.packages.debian].sort(),
      extra: opts.extraDebs.map((d) => [d.package, d.sha256]),
      base: [...opts.basePriorities].sort(),
      signer: opts.key.fingerprint,
      epoch: opts.epoch,
    }),
  ).slice(0, 32);
}

/** Debian's signed sources for a suite: the release, its updates and its security fixes, checked by Debian's archive key. */
export function debianSources(mirror: string, suite: string): string[] {
  const signed = `[arch=amd64 signed-by=${ARCHIVE_KEYRING}]`;
  const security = mirror === DEFAULT_MIRROR ? 'http://deb.debian.org/debian-security' : `${mirror}-security`;
  return [
    `deb ${signed} ${mirror} ${suite} main`,
    `deb ${signed} ${mirror} ${suite}-updates main`,
    `deb ${signed} ${security} ${suite}-security main`,
  ];
}

export function suiteOf(opts: Pick<SnapshotOptions, 'suite'>): string {
  return opts.suite ?? DEFAULT_SUITE;
}

export async function buildSnapshot(opts: SnapshotOptions): Promise<Snapshot> {
  const key = snapshotKey(opts);
  const dir = path.join(opts.cacheDir, 'snapshots', key);
  const manifestFile = path.join(dir, 'snapshot.json');
  if (fs.existsSync(manifestFile)) {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as SnapshotManifest;
    return summary(dir, key, m, 0, true);
  }
  const suite = suiteOf(opts);
  const apt = new PrivateApt(path.join(opts.cacheDir, 'apt', suite), opts.mirror ?? DEFAULT_MIRROR, suite);
  opts.onStep?.(`apt update (${suite}, private state)`);
  await apt.update();
  const names = [...opts.packages.debian];
  if (opts.basePriorities.length) names.push(...(await apt.basePackages(opts.basePriorities)));
  const locals = opts.extraDebs.map((d) => d.file);
  opts.onStep?.('resolving the closure with apt');
  const closure = await apt.closure(names, locals);
  const before = new Set(fs.readdirSync(apt.archives));
  opts.onStep?.(`downloading ${closure.filter((c) => !before.has(c.filename)).length} of ${closure.length} packages`);
  await apt.download(names, locals);
  const downloaded = closure.filter((c) => !before.has(c.filename)).length;

  // Assembled aside and renamed: a killed build leaves no snapshot that looks finished.
  const tmp = path.join(opts.cacheDir, 'snapshots', `.${key}.${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  const pool = path.join(tmp, 'pool', 'main');
  fs.mkdirSync(pool, { recursive: true });
  for (const c of closure) linkOrCopy(path.join(apt.archives, c.filename), path.join(pool, c.filename));
  for (const d of opts.extraDebs) linkOrCopy(d.file, path.join(pool, path.basename(d.file)));
  opts.onStep?.('indexing (dpkg-scanpackages, apt-ftparchive) and signing');
  await writeIndexes(tmp, opts);
  const files = walk(tmp).map((file) => ({ file, size: fs.statSync(path.join(tmp, file)).size }));
  const extraDebs = opts.extraDebs.map((d) => ({ package: d.package, file: path.basename(d.file), sha256: d.sha256 }));
  const manifest: SnapshotManifest = { format: FORMAT, key, files, extraDebs };
  fs.writeFileSync(path.join(tmp, 'snapshot.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return summary(dir, key, manifest, downloaded, false);
}

/**
 * Debian's own .deb of each named package, fetched (with its dependencies,
 * which a darksite build takes later anyway) from Debian's signed archive
 * into the private apt cache: for kubedos packages made from Debian's.
 */
export async function fetchDebianDebs(opts: {
  cacheDir: string;
  names: readonly string[];
  suite?: string;
  mirror?: string;
}): Promise<Record<string, string>> {
  const suite = suiteOf(opts);
  const apt = new PrivateApt(path.join(opts.cacheDir, 'apt', suite), opts.mirror ?? DEFAULT_MIRROR, suite);
  await apt.update();
  const closure = await apt.closure(opts.names, []);
  await apt.download(opts.names, []);
  const files: Record<string, string> = {};
  for (const name of opts.names) {
    const entry = closure.find((c) => c.filename.startsWith(`${name}_`));
    if (!entry) throw new UserError(`Debian ${suite} has no package ${name}`);
    files[name] = path.join(apt.archives, entry.filename);
  }
  return files;
}

function summary(dir: string, key: string, m: SnapshotManifest, downloaded: number, cached: boolean): Snapshot {
  const debs = m.files.filter((f) => f.file.endsWith('.deb'));
  return {
    dir,
    key,
    packageCount: debs.length,
    bytes: m.files.reduce((a, f) => a + f.size, 0),
    downloaded,
    cached,
  };
}

function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

/** Relative paths of every file under dir, sorted bytewise (the order xorriso and manifests see). */
export function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, rel));
    else out.push(rel);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function releaseDate(epoch: number): string {
  return new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
}

async function writeIndexes(root: string, opts: SnapshotOptions): Promise<void> {
  const suite = suiteOf(opts);
  const dist = path.join(root, 'dists', suite);
  const bin = path.join(dist, 'main', 'binary-amd64');
  fs.mkdirSync(bin, { recursive: true });
  // dpkg-scanpackages sorts by package name, so the index does not depend on directory order.
  const packages = (await run('dpkg-scanpackages', ['--multiversion', 'pool', '/dev/null'], { cwd: root })).stdout;
  fs.writeFileSync(path.join(bin, 'Packages'), packages);
  fs.writeFileSync(path.join(bin, 'Packages.gz'), zlib.gzipSync(packages, { level: 9 }));
  const fields: Record<string, string> = {
    Origin: 'kubedos',
    Label: 'kubedos darksite',
    Suite: 'stable',
    Codename: suite,
    Architectures: 'amd64',
    Components: 'main',
    Description: `kubedos darksite snapshot (signer ${opts.key.fingerprint})`,
    Date: releaseDate(opts.epoch),
  };
  const args = Object.entries(fields).flatMap(([k, v]) => ['-o', `APT::FTPArchive::Release::${k}=${v}`]);
  const release = (await run('apt-ftparchive', [...args, 'release', '.'], { cwd: dist })).stdout;
  fs.writeFileSync(path.join(dist, 'Release'), release);
  await signRelease(opts.key, path.join(dist, 'Release'), opts.epoch);
  fs.writeFileSync(path.join(root, 'kubedos-darksite.gpg'), opts.key.publicKey);
}

interface ClosureEntry {
  uri: string;
  filename: string;
  size: number;
}

/** apt with its own state, lists and archive folder: resolving the closure never reads or changes the host's apt. */
class PrivateApt {
  readonly root: string;
  readonly archives: string;
  /** The host's apt configuration is never read: APT_CONFIG is an empty file, every setting is passed explicitly. */
  private readonly env: Record<string, string>;
  constructor(root: string, mirror: string, suite: string) {
    this.root = root;
    this.env = { APT_CONFIG: path.join(root, 'apt.conf'), LC_ALL: 'C' };
    this.archives = path.join(root, 'cache', 'archives');
    for (const d of [
      'etc/apt.conf.d',
      'etc/preferences.d',
      'etc/sources.list.d',
      'lists/partial',
      'cache/archives/partial',
      'dpkg',
    ]) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    fs.writeFileSync(this.env.APT_CONFIG!, '');
    const status = path.join(root, 'dpkg', 'status');
    if (!fs.existsSync(status)) fs.writeFileSync(status, '');
    fs.writeFileSync(path.join(root, 'etc', 'sources.list'), [...debianSources(mirror, suite), ''].join('\n'));
  }

  private options(archives = this.archives): string[] {
    const r = this.root;
    return [
      '-o', `Dir::Etc=${r}/etc`,
      '-o', `Dir::Etc::SourceList=${r}/etc/sources.list`,
      '-o', `Dir::Etc::SourceParts=${r}/etc/sources.list.d`,
      '-o', `Dir::Etc::Parts=${r}/etc/apt.conf.d`,
      '-o', `Dir::Etc::PreferencesParts=${r}/etc/preferences.d`,
      '-o', `Dir::State=${r}`,
      '-o', `Dir::State::Lists=${r}/lists`,
      '-o', `Dir::State::status=${r}/dpkg/status`,
      '-o', `Dir::Cache=${r}/cache`,
      '-o', `Dir::Cache::archives=${archives}`,
      '-o', 'APT::Architecture=amd64',
      '-o', 'APT::Architectures=amd64',
      '-o', 'APT::Install-Recommends=false',
      '-o', 'APT::Sandbox::User=root',
      '-o', 'Debug::NoLocking=true',
      '-o', 'Acquire::Languages=none',
    ]; // prettier-ignore
  }

  async update(): Promise<void> {
    await run('apt-get', [...this.options(), '-qq', 'update'], { env: this.env });
  }

  /** Debian's packages of the given priorities, as debootstrap picks them, read through apt-cache. */
  async basePackages(priorities: readonly BasePriority[]): Promise<string[]> {
    const avail = (await run('apt-cache', [...this.options(), 'dumpavail'], { env: this.env, maxBuffer: 2 ** 30 }))
      .stdout;
    const names = new Set<string>();
    for (const stanza of avail.split('\n\n')) {
      const pkg = /^Package: (\S+)$/m.exec(stanza)?.[1];
      const prio = /^Priority: (\S+)$/m.exec(stanza)?.[1];
      if (pkg && priorities.includes(prio as BasePriority)) names.add(pkg);
    }
    return [...names].sort();
  }

  private installArgs(names: readonly string[], locals: readonly string[], archives = this.archives): string[] {
    return [
      ...this.options(archives),
      '-y',
      '--download-only',
      '--no-install-recommends',
      'install',
      ...names,
      ...locals,
    ];
  }

  /** The whole closure: --print-uris lists only what is not downloaded yet, so it is asked against an empty folder. */
  async closure(names: readonly string[], locals: readonly string[]): Promise<ClosureEntry[]> {
    const empty = fs.mkdtempSync(path.join(this.root, 'empty-'));
    fs.mkdirSync(path.join(empty, 'partial'));
    let out: string;
    try {
      out = (
        await run('apt-get', ['-qq', '--print-uris', ...this.installArgs(names, locals, empty)], {
          env: this.env,
        })
      ).stdout;
    } catch (err) {
      throw new UserError(`apt could not resolve the darksite package set: ${(err as Error).message}`);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    const entries: ClosureEntry[] = [];
    for (const line of out.split('\n')) {
      const m = /^'([^']+)' (\S+) (\d+) /.exec(line);
      // The operator's local .debs are listed too (file: URIs); they go into the pool from their folder.
      if (m && !m[1]!.startsWith('file:')) entries.push({ uri: m[1]!, filename: m[2]!, size: Number(m[3]) });
    }
    return entries.sort((a, b) => (a.filename < b.filename ? -1 : 1));
  }

  async download(names: readonly string[], locals: readonly string[]): Promise<void> {
    await run('apt-get', ['-qq', ...this.installArgs(names, locals)], {
      env: this.env,
    });
  }
}
