import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../shared/errors.ts';

/**
 * The one checked-in file that says which upstream releases kubedos builds
 * (pins.json), and the wrapper modules that turn each pin into a verified
 * module graph (modules/<name>/go.mod and go.sum). The go.mod files must say
 * what pins.json says: a pin bumped in one place only is refused here,
 * before anything is downloaded or compiled.
 */
export const PINS_DIR = import.meta.dirname;

export interface KubePins {
  /** The folder of pins.json. */
  dir: string;
  kubernetes: { version: string; releaseDate: string; moduleDir: string };
  etcd: { version: string; moduleDir: string };
  /** The cluster DNS kubeadm deploys (its CoreDNSVersion). */
  coredns: { version: string; moduleDir: string };
  images: {
    /** The sandbox image's tag (kubeadm's PauseVersion), built from build/pause in the Kubernetes module. */
    pause: string;
    /** The e2e test image's tag (test/images/agnhost/VERSION in the Kubernetes module). */
    agnhost: string;
    /** The Debian packages (and their dependencies) under kube-proxy: the nft and conntrack it runs. */
    kubeProxyBase: { suite: string; packages: string[] };
  };
  /** The Debian revision of the packages kubedos makes ("1.35.4-<debRevision>"). */
  debRevision: string;
  /** The lowest Go the wrapper modules accept (their go.mod `go` line). */
  minimumGo: string;
}

const SEMVER = /^v(\d+)\.(\d+)\.(\d+)$/;

export function loadKubePins(dir = PINS_DIR): KubePins {
  const file = path.join(dir, 'pins.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read the Kubernetes pins ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const p = raw as {
    kubernetes?: { version?: unknown; releaseDate?: unknown; module?: unknown };
    etcd?: { version?: unknown; module?: unknown };
    coredns?: { version?: unknown; module?: unknown };
    images?: { pause?: unknown; agnhost?: unknown; kubeProxyBase?: { suite?: unknown; packages?: unknown } };
    debRevision?: unknown;
  };
  const str = (v: unknown, what: string, re: RegExp): string => {
    if (typeof v !== 'string' || !re.test(v))
      throw new UserError(`${file}: ${what} is ${JSON.stringify(v)}, not ${re}`);
    return v;
  };
  const pins: KubePins = {
    dir,
    kubernetes: {
      version: str(p.kubernetes?.version, 'kubernetes.version', SEMVER),
      releaseDate: str(p.kubernetes?.releaseDate, 'kubernetes.releaseDate', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      moduleDir: path.join(dir, str(p.kubernetes?.module, 'kubernetes.module', /^modules\/[a-z0-9-]+$/)),
    },
    etcd: {
      version: str(p.etcd?.version, 'etcd.version', SEMVER),
      moduleDir: path.join(dir, str(p.etcd?.module, 'etcd.module', /^modules\/[a-z0-9-]+$/)),
    },
    coredns: {
      version: str(p.coredns?.version, 'coredns.version', SEMVER),
      moduleDir: path.join(dir, str(p.coredns?.module, 'coredns.module', /^modules\/[a-z0-9-]+$/)),
    },
    images: {
      pause: str(p.images?.pause, 'images.pause', /^\d+\.\d+(\.\d+)?$/),
      agnhost: str(p.images?.agnhost, 'images.agnhost', /^\d+\.\d+$/),
      kubeProxyBase: {
        suite: str(p.images?.kubeProxyBase?.suite, 'images.kubeProxyBase.suite', /^[a-z]+$/),
        packages: packageList(p.images?.kubeProxyBase?.packages, file),
      },
    },
    debRevision: str(p.debRevision, 'debRevision', /^[0-9][A-Za-z0-9.+~]*$/),
    minimumGo: '',
  };
  const k8s = readGoMod(pins.kubernetes.moduleDir);
  const etcd = readGoMod(pins.etcd.moduleDir);
  const coredns = readGoMod(pins.coredns.moduleDir);
  const kv = pins.kubernetes.version;
  const staging = `v0.${kv.slice(3)}`;
  expectRequire(k8s, 'k8s.io/kubernetes', kv, file);
  // Every staging module must be replaced by its published twin of the same release.
  if (k8s.replaces.size === 0) throw new UserError(`${k8s.file} replaces no k8s.io staging module`);
  for (const [mod, to] of k8s.replaces) {
    if (to !== `${mod} ${staging}`)
      throw new UserError(
        `${k8s.file} replaces ${mod} with ${to}, not ${mod} ${staging} (the twin of Kubernetes ${kv})`,
        'bump the pin and the wrapper module together (docs/nodes.md, "Bumping the pins")',
      );
  }
  for (const mod of ['go.etcd.io/etcd/server/v3', 'go.etcd.io/etcd/etcdctl/v3', 'go.etcd.io/etcd/etcdutl/v3'])
    expectRequire(etcd, mod, pins.etcd.version, file);
  expectRequire(coredns, 'github.com/coredns/coredns', pins.coredns.version, file);
  pins.minimumGo = [k8s.go, etcd.go, coredns.go].sort(compareGoVersions).at(-1)!;
  return pins;
}

function packageList(v: unknown, file: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && /^[a-z0-9][a-z0-9+.-]+$/.test(x)))
    throw new UserError(
      `${file}: images.kubeProxyBase.packages is ${JSON.stringify(v)}, not a list of Debian package names`,
    );
  return v as string[];
}

interface GoMod {
  file: string;
  go: string;
  requires: Map<string, string>;
  replaces: Map<string, string>;
}

function readGoMod(dir: string): GoMod {
  const file = path.join(dir, 'go.mod');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file} is missing: the pins need their wrapper module (go.mod and go.sum)`);
  }
  if (!fs.existsSync(path.join(dir, 'go.sum')))
    throw new UserError(`${path.join(dir, 'go.sum')} is missing: without it no module is verified by hash`);
  const mod: GoMod = { file, go: '', requires: new Map(), replaces: new Map() };
  let block = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (line === ')') {
      block = '';
      continue;
    }
    const open = /^(require|replace|tool|exclude|godebug) \($/.exec(line);
    if (open) {
      block = open[1]!;
      continue;
    }
    const single = /^(require|replace|go) (.+)$/.exec(line);
    const [kind, rest] = block ? [block, line] : single ? [single[1]!, single[2]!] : ['', ''];
    if (kind === 'go') mod.go = rest;
    else if (kind === 'require') {
      const [m, v] = rest.split(/\s+/);
      if (m && v) mod.requires.set(m, v);
    } else if (kind === 'replace') {
      const [from, to] = rest.split(/\s*=>\s*/);
      if (from && to) mod.replaces.set(from.split(/\s+/)[0]!, to.replace(/\s+/g, ' '));
    }
  }
  if (!mod.go) throw new UserError(`${file} has no go line`);
  return mod;
}

function expectRequire(mod: GoMod, name: string, version: string, pinsFile: string): void {
  const got = mod.requires.get(name);
  if (got !== version)
    throw new UserError(
      `${mod.file} requires ${name} ${got ?? '(nothing)'}, but ${pinsFile} pins ${version}`,
      'bump the pin and the wrapper module together (docs/nodes.md, "Bumping the pins")',
    );
}

/** Orders Go versions ("1.25.0", "1.26", "1.26rc1" counts as below "1.26.0"). */
export function compareGoVersions(a: string, b: string): number {
  const parts = (v: string) => {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?((?:rc|beta)\d+)?/.exec(v);
    if (!m) return [0, 0, -1, 0];
    return [Number(m[1]), Number(m[2]), m[3] === undefined ? (m[4] ? -1 : 0) : Number(m[3]), m[4] ? 0 : 1];
  };
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
