import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { sha256File, sha256Text } from '../hash.ts';
import { removeStale } from '../stale.ts';
import { GO_BUILD_FLAGS, goBuild, goDownload, goEnv } from './go-build.ts';
import { findGoToolchain } from './go-toolchain.ts';
import { buildKubeDebs } from './kube-debs.ts';
import { loadKubePins, PINS_DIR, type KubePins } from './pins.ts';

/**
 * The Kubernetes darksite supply: the pinned release compiled from its Go
 * modules (every module checked against the committed go.sum) into the
 * programs, and those into the kubelet/kubeadm/kubectl packages the
 * platform image installs like any other.
 *
 * A build is kept in the cache under a key of everything that decides its
 * bytes (the pins, every go.mod and go.sum, this recipe, the Go version),
 * so a second build with the same inputs takes a moment. It is assembled in
 * a temporary folder named after its process and renamed into place only
 * when whole and verified: a killed or failed build leaves nothing that
 * looks like an entry (the next build removes its leftovers).
 */

/** Bump when what the build does changes (flags, layout, packages): the cache key includes it. */
const RECIPE = 'kubernetes-build/1';

export const KUBE_PROGRAMS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
  'kubeadm',
  'kubelet',
  'kubectl',
] as const;

/** Upstream's e2e test image program: serves HTTP, DNS checks and more for workloads in the labs. */
const AGNHOST = 'agnhost';
const ETCD_PROGRAMS: Record<string, string> = {
  etcd: 'go.etcd.io/etcd/server/v3',
  etcdctl: 'go.etcd.io/etcd/etcdctl/v3',
  etcdutl: 'go.etcd.io/etcd/etcdutl/v3',
};

export interface BuiltArtifact {
  file: string;
  sha256: string;
  bytes: number;
}

export interface KubernetesBuildManifest {
  recipe: string;
  key: string;
  kubernetes: string;
  etcd: string;
  go: string;
  /** Program name → its sha256 and size. */
  programs: Record<string, { sha256: string; bytes: number }>;
  /** Package name → file name in debs/, sha256, size. */
  debs: Record<string, { file: string; sha256: string; bytes: number }>;
  seconds: { download: number; compile: number; package: number };
}

export interface KubernetesBuild {
  dir: string;
  binDir: string;
  debsDir: string;
  manifest: KubernetesBuildManifest;
  cached: boolean;
  seconds: number;
}

export function kubernetesCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'kubernetes');
}

export async function buildKubernetes(opts: {
  cacheDir: string;
  pinsDir?: string;
  env?: NodeJS.ProcessEnv;
  onStep?: (step: string) => void;
  signal?: AbortSignal;
}): Promise<KubernetesBuild> {
  const started = Date.now();
  const step = opts.onStep ?? (() => undefined);
  const pins = loadKubePins(opts.pinsDir ?? PINS_DIR);
  const tc = await findGoToolchain(pins.minimumGo, goEnv(opts.env ?? process.env));
  const key = await inputsKey(pins, tc.version);
  const root = kubernetesCacheDir(opts.cacheDir);
  const dir = path.join(root, key);
  const found = readEntry(dir);
  if (found) {
    step(`Kubernetes ${pins.kubernetes.version} from the cache (${key})`);
    await verifyEntry(dir, found);
    return entry(dir, found, true, started);
  }

  fs.mkdirSync(root, { recursive: true });
  removeStale(root, /^\..+\.(\d+)\.tmp$/);
  const tmp = path.join(root, `.${key}.${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'debs'), { recursive: true });
  try {
    const t0 = Date.now();
    step(
      `downloading the pinned modules (Kubernetes ${pins.kubernetes.version}, etcd ${pins.etcd.version}), each checked against go.sum`,
    );
    await goDownload(tc, pins.kubernetes.moduleDir, opts.signal);
    await goDownload(tc, pins.etcd.moduleDir, opts.signal);
    const t1 = Date.now();
    const bin = path.join(tmp, 'bin');
    const ticker = progress(
      step,
      `compiling Kubernetes ${pins.kubernetes.version} with Go ${tc.version} (cold: about 5 min on 2 cores)`,
    );
    try {
      await goBuild(tc, {
        moduleDir: pins.kubernetes.moduleDir,
        packages: [
          ...KUBE_PROGRAMS.map((p) => `k8s.io/kubernetes/cmd/${p}`),
          `k8s.io/kubernetes/test/images/${AGNHOST}`,
        ],
        output: `${bin}/`,
        ldflags: kubeLdflags(pins),
        // Upstream's release build tags (hack/lib/golang.sh): no test code, SELinux labels supported.
        tags: ['selinux', 'notest', 'grpcnotrace'],
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      for (const [name, pkg] of Object.entries(ETCD_PROGRAMS)) {
        await goBuild(tc, {
          moduleDir: pins.etcd.moduleDir,
          packages: [pkg],
          output: path.join(bin, name),
          ldflags: '-s -w',
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      }
    } finally {
      clearInterval(ticker);
    }
    const t2 = Date.now();
    step('checking every program reports the pinned version');
    await checkVersions(bin, pins);
    step('packaging kubelet, kubeadm, kubectl (dpkg-deb)');
    const debs = await buildKubeDebs({
      binDir: bin,
      version: pins.kubernetes.version.slice(1),
      debRevision: pins.debRevision,
      epoch: Math.floor(Date.parse(pins.kubernetes.releaseDate) / 1000),
      workDir: path.join(tmp, 'stage'),
      outDir: path.join(tmp, 'debs'),
    });
    fs.rmSync(path.join(tmp, 'stage'), { recursive: true, force: true });
    const t3 = Date.now();
    const manifest: KubernetesBuildManifest = {
      recipe: RECIPE,
      key,
      kubernetes: pins.kubernetes.version,
      etcd: pins.etcd.version,
      go: tc.version,
      programs: {},
      debs: {},
      seconds: { download: (t1 - t0) / 1000, compile: (t2 - t1) / 1000, package: (t3 - t2) / 1000 },
    };
    for (const name of fs.readdirSync(bin).sort()) {
      const f = path.join(bin, name);
      manifest.programs[name] = { sha256: await sha256File(f), bytes: fs.statSync(f).size };
    }
    for (const d of debs)
      manifest.debs[d.package] = {
        file: path.basename(d.file),
        sha256: await sha256File(d.file),
        bytes: fs.statSync(d.file).size,
      };
    writeFileAtomic(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', 0o644);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    step(`Kubernetes ${pins.kubernetes.version} built in ${((Date.now() - started) / 1000).toFixed(0)} s (${key})`);
    return entry(dir, manifest, false, started);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function entry(dir: string, manifest: KubernetesBuildManifest, cached: boolean, started: number): KubernetesBuild {
  return {
    dir,
    binDir: path.join(dir, 'bin'),
    debsDir: path.join(dir, 'debs'),
    manifest,
    cached,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Upstream's version stamps (hack/lib/version.sh): kubeadm version and kubelet --version print the release. */
export function kubeLdflags(pins: KubePins): string {
  const v = pins.kubernetes.version;
  const [major, minor] = v.slice(1).split('.');
  const stamps = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((p) => [
    `-X ${p}.gitVersion=${v}`,
    `-X ${p}.gitMajor=${major}`,
    `-X ${p}.gitMinor=${minor}`,
    `-X ${p}.gitTreeState=clean`,
    `-X ${p}.buildDate=${pins.kubernetes.releaseDate}`,
  ]);
  return ['-s', '-w', ...stamps].join(' ');
}

async function inputsKey(pins: KubePins, goVersion: string): Promise<string> {
  const files = [path.join(pins.dir, 'pins.json')];
  for (const d of [pins.kubernetes.moduleDir, pins.etcd.moduleDir])
    files.push(path.join(d, 'go.mod'), path.join(d, 'go.sum'));
  const parts = [RECIPE, goVersion, GO_BUILD_FLAGS.join(' '), kubeLdflags(pins)];
  for (const f of files) parts.push(`${path.relative(pins.dir, f)}:${await sha256File(f)}`);
  return sha256Text(parts.join('\n')).slice(0, 24);
}

function readEntry(dir: string): KubernetesBuildManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as KubernetesBuildManifest;
  } catch {
    return undefined;
  }
}

/** A cache entry whose packages are not the bytes it recorded is an error, not a silent rebuild. */
async function verifyEntry(dir: string, m: KubernetesBuildManifest): Promise<void> {
  for (const d of Object.values(m.debs)) {
    const f = path.join(dir, 'debs', d.file);
    const sum = fs.existsSync(f) ? await sha256File(f) : 'missing';
    if (sum !== d.sha256)
      throw new UserError(
        `the cached Kubernetes build ${dir} is damaged: ${d.file} is ${sum === 'missing' ? 'missing' : 'not the bytes it recorded'}`,
        `remove ${dir} and build again`,
      );
  }
}

/** Each program asked for its version: the stamps really are in the binaries. */
async function checkVersions(bin: string, pins: KubePins): Promise<void> {
  const kv = pins.kubernetes.version;
  const asks: [string, string[], string][] = [
    ['kubeadm', ['version', '-o', 'short'], kv],
    ['kubelet', ['--version'], `Kubernetes ${kv}`],
    ['kubectl', ['version', '--client', '-o', 'yaml'], `gitVersion: ${kv}`],
    ['kube-apiserver', ['--version'], `Kubernetes ${kv}`],
    ['kube-controller-manager', ['--version'], `Kubernetes ${kv}`],
    ['kube-scheduler', ['--version'], `Kubernetes ${kv}`],
    ['kube-proxy', ['--version'], `Kubernetes ${kv}`],
    ['etcd', ['--version'], `etcd Version: ${pins.etcd.version.slice(1)}`],
  ];
  for (const [name, args, want] of asks) {
    const r = await execa(path.join(bin, name), args, { reject: false, all: true });
    if (!String(r.all ?? '').includes(want))
      throw new UserError(`${name} ${args.join(' ')} did not report ${want}: ${String(r.all ?? '').split('\n')[0]}`);
  }
}

function progress(step: (s: string) => void, what: string): NodeJS.Timeout {
  const t0 = Date.now();
  step(what);
  return setInterval(() => step(`${what}: ${((Date.now() - t0) / 1000).toFixed(0)} s`), 30_000);
}
