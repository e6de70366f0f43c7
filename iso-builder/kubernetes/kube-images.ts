import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_MIRROR, debianSources } from '../apt-snapshot.ts';
import { run } from '../tools.ts';
import type { KubePins } from './pins.ts';

/**
 * The container images a kubedos cluster runs, made from the programs the
 * build compiled, so nothing is ever pulled: names and tags are exactly what
 * kubeadm 1.35 puts in its static pods and add-ons (`kubeadm config images
 * list`), plus upstream's e2e test image for workloads.
 *
 * Debian's umoci assembles each image in one OCI layout (a layer of files,
 * the image config), and Debian's skopeo writes it as a docker archive with
 * its name, the form `ctr images import` reads. Every file's mtime, every
 * "created" field is the release date: equal inputs give equal bytes.
 */
export interface ImageSpec {
  /** The archive's name in /usr/share/kubedos/images (without .tar). */
  name: string;
  /** The reference kubeadm's manifests and containerd's sandbox_image use. */
  ref: string;
  files: { from: string; to: string; netBindService?: boolean }[];
  entrypoint: string[];
  user: string;
  /** Under the program, the pins' Debian packages (kube-proxy runs nft and conntrack). */
  debianBase?: boolean;
}

export interface BuiltImage {
  name: string;
  ref: string;
  file: string;
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** distroless's users: root, nonroot (65532) and nobody, which upstream's images run as. */
const PASSWD =
  'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n';

export function imageSpecs(pins: KubePins, bin: string): ImageSpec[] {
  const kv = pins.kubernetes.version;
  const control = (name: string): ImageSpec => ({
    name,
    ref: `registry.k8s.io/${name}:${kv}`,
    files: [{ from: path.join(bin, name), to: `usr/local/bin/${name}` }],
    // kubeadm's static pods name the program as their command, found on PATH.
    entrypoint: [`/usr/local/bin/${name}`],
    user: '0:0',
  });
  return [
    control('kube-apiserver'),
    control('kube-controller-manager'),
    control('kube-scheduler'),
    { ...control('kube-proxy'), debianBase: true },
    {
      name: 'pause',
      ref: `registry.k8s.io/pause:${pins.images.pause}`,
      files: [{ from: path.join(bin, 'pause'), to: 'pause' }],
      entrypoint: ['/pause'],
      // build/pause/Dockerfile
      user: '65535:65535',
    },
    {
      name: 'coredns',
      ref: `registry.k8s.io/coredns/coredns:${pins.coredns.version}`,
      // As upstream's image: not root, allowed to bind port 53 by a file capability.
      files: [{ from: path.join(bin, 'coredns'), to: 'coredns', netBindService: true }],
      entrypoint: ['/coredns'],
      user: '65532:65532',
    },
    {
      name: 'agnhost',
      ref: `registry.k8s.io/e2e-test-images/agnhost:${pins.images.agnhost}`,
      files: [{ from: path.join(bin, 'agnhost'), to: 'agnhost' }],
      entrypoint: ['/agnhost'],
      user: '0:0',
    },
  ];
}

export async function buildImages(opts: {
  pins: KubePins;
  binDir: string;
  workDir: string;
  outDir: string;
  /** Seconds since the epoch: every mtime and "created" field. */
  epoch: number;
  mirror?: string;
  onStep?: (step: string) => void;
}): Promise<BuiltImage[]> {
  const specs = imageSpecs(opts.pins, opts.binDir);
  const created = new Date(opts.epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const history = ['--history.created', created, '--history.created_by', 'kubedos build-kubernetes'];
  const layout = path.join(opts.workDir, 'oci');
  fs.mkdirSync(opts.workDir, { recursive: true });
  const policy = path.join(opts.workDir, 'policy.json');
  // Local archives of images this build just made: there is no signature to ask for.
  fs.writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  // skopeo stages big blobs in TMPDIR (default /var/tmp): keep them in the build's own folder.
  const tmpdir = path.join(opts.workDir, 'tmp');
  fs.mkdirSync(tmpdir, { recursive: true });
  await run('umoci', ['init', '--layout', layout]);

  let base: string | undefined;
  const built: BuiltImage[] = [];
  for (const spec of specs) {
    opts.onStep?.(`image ${spec.ref}`);
    const image = `${layout}:${spec.name}`;
    await run('umoci', ['new', '--image', image]);
    if (spec.debianBase) {
      base ??= await debianBase(opts, path.join(opts.workDir, 'debian-base.tar'));
      await run('umoci', ['raw', 'add-layer', '--image', image, ...history, base]);
    }
    const stage = path.join(opts.workDir, 'stage', spec.name);
    stageFiles(stage, spec, opts.epoch);
    for (const f of spec.files)
      if (f.netBindService) await run('setcap', ['cap_net_bind_service=+ep', path.join(stage, f.to)]);
    await run('umoci', ['insert', '--image', image, ...history, stage, '/']);
    await run('umoci', [
      'config',
      '--image',
      image,
      ...history,
      '--created',
      created,
      '--architecture',
      'amd64',
      '--os',
      'linux',
      '--config.env',
      PATH_ENV,
      '--config.user',
      spec.user,
      ...spec.entrypoint.flatMap((e) => ['--config.entrypoint', e]),
    ]);
    const file = path.join(opts.outDir, `${spec.name}.tar`);
    await run('skopeo', ['--policy', policy, 'copy', '--quiet', `oci:${image}`, `docker-archive:${file}:${spec.ref}`], {
      env: { TMPDIR: tmpdir },
    });
    fs.rmSync(stage, { recursive: true, force: true });
    built.push({ name: spec.name, ref: spec.ref, file });
  }
  return built;
}

/** The files of one image's own layer, root-owned, every mtime at the epoch. */
function stageFiles(stage: string, spec: ImageSpec, epoch: number): void {
  fs.rmSync(stage, { recursive: true, force: true });
  const put = (rel: string, mode: number, write: (dest: string) => void) => {
    const dest = path.join(stage, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    write(dest);
    fs.chmodSync(dest, mode);
  };
  put('etc/passwd', 0o644, (d) => fs.writeFileSync(d, PASSWD));
  put('etc/group', 0o644, (d) => fs.writeFileSync(d, GROUP));
  put('tmp', 0o1777, (d) => fs.mkdirSync(d));
  for (const f of spec.files) put(f.to, 0o755, (d) => fs.copyFileSync(f.from, d));
  const touch = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== path.join(stage, 'tmp')) fs.chmodSync(p, 0o755);
        touch(p);
      }
      fs.utimesSync(p, epoch, epoch);
    }
  };
  touch(stage);
  fs.chmodSync(stage, 0o755);
  fs.utimesSync(stage, epoch, epoch);
}

/**
 * kube-proxy's base: the pinned Debian packages and their dependencies,
 * extracted by mmdebstrap from Debian's signed archive (no maintainer
 * scripts run: files only, like distroless), with the epoch as every mtime.
 */
async function debianBase(
  opts: { pins: KubePins; epoch: number; mirror?: string; onStep?: (s: string) => void },
  out: string,
): Promise<string> {
  const { suite, packages } = opts.pins.images.kubeProxyBase;
  opts.onStep?.(`kube-proxy's base: ${packages.join(', ')} from Debian ${suite} (mmdebstrap)`);
  await run(
    'mmdebstrap',
    [
      '--quiet',
      '--mode=root',
      '--variant=extract',
      '--format=tar',
      `--include=${packages.join(',')}`,
      '--aptopt=Acquire::Languages "none"',
      // apt downloads as root, never as its _apt sandbox user: whether _apt could reach TMPDIR (a 0700
      // folder cannot be) decided who owned apt's partial/ folders in the layer, so the bytes followed TMPDIR.
      '--aptopt=APT::Sandbox::User "root"',
      // Devices come from the container runtime, not from an image layer.
      '--skip=output/dev',
      suite,
      out,
      ...debianSources(opts.mirror ?? DEFAULT_MIRROR, suite),
    ],
    { env: { SOURCE_DATE_EPOCH: String(opts.epoch) } },
  );
  return out;
}
