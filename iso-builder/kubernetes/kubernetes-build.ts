import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { fetchDebianDebs } from '../apt-snapshot.ts';
import { sha256File, sha256Text } from '../hash.ts';
import { removeStale } from '../stale.ts';
import { requireTools } from '../tools.ts';
import { GO_BUILD_FLAGS, goBuild, goDownload, goEnv } from './go-build.ts';
import { findGoToolchain } from './go-toolchain.ts';
import { ETCD_PACKAGES, repackEtcdDebs } from './etcd-debs.ts';
import { buildKubeDebs } from './kube-debs.ts';
import { buildImages } from './kube-images.ts';
import { buildPause, gccVersion } from './pause-build.ts';
import { loadKubePins, PINS_DIR, type KubePins } from './pins.ts';

/**
 * The Kubernetes darksite supply: the pinned release compiled from its Go
 * modules (every module checked against the committed go.sum) into the
 * programs, those into the container images kubeadm runs (CoreDNS and pause
 * among them), and all into the kubelet/kubeadm/kubectl/kubedos-images
 * packages the platform image installs like any other; and Debian's
 * etcd-server/etcd-client carrying the pinned etcd.
 *
 * A build is kept in the cache under a key of everything that decides its
 * bytes (the pins, every go.mod and go.sum, this recipe, the Go and gcc versions),
 * so a second build with the same inputs takes a moment. It is assembled in
 * a temporary folder named after its process and renamed into place only
 * when whole and verified: a killed or failed build leaves nothing that
 * looks like an entry (the next build removes its leftovers).
 */

/** Bump when what the build does changes (flags, layout, packages): the cache key includes it. */
const RECIPE = 'kubernetes-build/5';

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
  /** Image name → its reference (what kubeadm's manifests name), sha256 and size of its archive. */
  images: Record<string, { ref: string; sha256: string; bytes: number }>;
  /** Package name → file name in debs/, sha256, size. */
  debs: Record<string, { file: string; sha256: string; bytes: number }>;
  /** Debian's packages the etcd packages were made from: name → Debian's version. */
  repackedFrom: Record<string, string>;
  seconds: { download: number; compile: number; images: number; package: number };
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
  const key = await inputsKey(pins, tc.version, await gccVersion());
  const root = kubernetesCacheDir(opts.cacheDir);
  const dir = path.join(root, key);
  const found = readEntry(dir);
  if (found) {
    step(`Kubernetes ${pins.kubernetes.version} from the cache (${key})`);
    await verifyEntry(dir, found);
    return entry(dir, found, true, started);
  }

  // A build (not a cache hit) makes root-owned images: mmdebstrap extracts kube-proxy's base, setcap marks CoreDNS.
  if (process.getuid?.() !== 0)
    throw new UserError(
      `building Kubernetes ${pins.kubernetes.version} needs root (its images are made by mmdebstrap, umoci and setcap)`,
      'run it as root: sudo npx kubedos build-kubernetes',
    );
  await requireTools(['dpkg-deb', 'mmdebstrap', 'umoci', 'skopeo', 'setcap', 'gcc', 'apt-get']);
  fs.mkdirSync(root, { recursive: true });
  removeStale(root, /^\..+\.(\d+)\.tmp$/);
  const tmp = path.join(root, `.${key}.${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'debs'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'images'), { recursive: true });
  const epoch = Math.floor(Date.parse(pins.kubernetes.releaseDate) / 1000);
  try {
    const t0 = Date.now();
    step(
      `downloading the pinned modules (Kubernetes ${pins.kubernetes.version}, etcd ${pins.etcd.version}, CoreDNS ${pins.coredns.version}), each checked against go.sum`,
    );
    for (const m of [pins.kubernetes, pins.etcd, pins.coredns]) await goDownload(tc, m.moduleDir, opts.signal);
    const t1 = Date.now();
    const bin = path.join(tmp, 'bin');
    const ticker = progress(
      step,
      `compiling Kubernetes ${pins.kubernetes.version} with Go ${tc.version} (cold: about 7 min on 2 cores)`,
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
      await goBuild(tc, {
        moduleDir: pins.coredns.moduleDir,
        packages: ['github.com/coredns/coredns'],
        output: path.join(bin, 'coredns'),
        ldflags: '-s -w',
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      await buildPause({
        tc,
        kubernetesModuleDir: pins.kubernetes.moduleDir,
        kubernetesVersion: pins.kubernetes.version,
        pauseVersion: pins.images.pause,
        output: path.join(bin, 'pause'),
      });
    } finally {
      clearInterval(ticker);
    }
    const t2 = Date.now();
    step('checking every program reports the pinned version');
    await checkVersions(bin, pins);
    const images = await buildImages({
      pins,
      binDir: bin,
      workDir: path.join(tmp, 'images-work'),
      outDir: path.join(tmp, 'images'),
      epoch,
      onStep: step,
    });
    fs.rmSync(path.join(tmp, 'images-work'), { recursive: true, force: true });
    const imageSums: KubernetesBuildManifest['images'] = {};
    for (const i of images)
      imageSums[i.name] = { ref: i.ref, sha256: await sha256File(i.file), bytes: fs.statSync(i.file).size };
    const t3 = Date.now();
    step('packaging kubelet, kubeadm, kubectl, kubedos-images (dpkg-deb)');
    const debs = await buildKubeDebs({
      binDir: bin,
      images,
      version: pins.kubernetes.version.slice(1),
      debRevision: pins.debRevision,
      epoch,
      workDir: path.join(tmp, 'stage'),
      outDir: path.join(tmp, 'debs'),
    });
    step(`etcd-server, etcd-client: Debian's packages with etcd ${pins.etcd.version}`);
    const debian = await fetchDebianDebs({ cacheDir: opts.cacheDir, names: ETCD_PACKAGES });
    const etcdDebs = await repackEtcdDebs({
      debian,
      binDir: bin,
      version: pins.etcd.version.slice(1),
      debRevision: pins.debRevision,
      epoch,
      workDir: path.join(tmp, 'stage'),
      outDir: path.join(tmp, 'debs'),
    });
    debs.push(...etcdDebs);
    const repackedFrom = Object.fromEntries(etcdDebs.map((d) => [d.package, d.debianVersion]));
    fs.rmSync(path.join(tmp, 'stage'), { recursive: true, force: true });
    // The package holds the archives: the entry keeps them once, in it.
    fs.rmSync(path.join(tmp, 'images'), { recursive: true, force: true });
    const t4 = Date.now();
    const manifest: KubernetesBuildManifest = {
      recipe: RECIPE,
      key,
      kubernetes: pins.kubernetes.version,
      etcd: pins.etcd.version,
      go: tc.version,
      programs: {},
      images: imageSums,
      debs: {},
      repackedFrom,
      seconds: {
        download: (t1 - t0) / 1000,
        compile: (t2 - t1) / 1000,
        images: (t3 - t2) / 1000,
        package: (t4 - t3) / 1000,
      },
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

async function inputsKey(pins: KubePins, goVersion: string, gcc: string): Promise<string> {
  const files = [path.join(pins.dir, 'pins.json')];
  for (const d of [pins.kubernetes.moduleDir, pins.etcd.moduleDir, pins.coredns.moduleDir])
    files.push(path.join(d, 'go.mod'), path.join(d, 'go.sum'));
  const parts = [RECIPE, goVersion, gcc, GO_BUILD_FLAGS.join(' '), kubeLdflags(pins)];
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
    ['coredns', ['-version'], `CoreDNS-${pins.coredns.version.slice(1)}`],
    ['pause', ['-v'], `v${pins.images.pause}-${kv}`],
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
