import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import {
  buildKubernetes,
  kubernetesCacheDir,
  type KubernetesBuildManifest,
} from '../../iso-builder/kubernetes/kubernetes-build.ts';
import { loadKubePins } from '../../iso-builder/kubernetes/pins.ts';
import { IMAGES_DIR } from '../../shared/kubernetes/packages.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { renderedKubeadmConfigs } from '../support/rendered-kubeadm.ts';
import { requireSystem } from '../support/requirements.ts';
import { runBin } from '../support/run-bin.ts';
import { startContainerd } from '../support/throwaway-containerd.ts';
import { until } from '../support/until.ts';

const pins = loadKubePins();
const V = pins.kubernetes.version;

/**
 * The operator's command, `kubedos build-kubernetes`, from the checked-in
 * pins: in CI on a new machine this is the cold build (the Go caches empty);
 * later tiers (the nspawn lab) take it from the cache. Every check asks the
 * built programs and packages themselves.
 */
describe('kubedos build-kubernetes: the pinned release from its Go modules', function () {
  this.timeout(40 * 60_000);
  let m: KubernetesBuildManifest & { dir: string; cached: boolean };
  const env = { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin` };

  before(async function () {
    requireSystem(this, {
      root: true,
      commands: ['dpkg-deb', 'file', 'gcc', 'mmdebstrap', 'umoci', 'skopeo', 'setcap', 'containerd', 'ctr'],
      files: ['/usr/local/go/bin/go', '/usr/lib/x86_64-linux-gnu/libc.a'],
    });
    const started = Date.now();
    const r = await runBin('kubedos', ['build-kubernetes', '--json'], env, 40 * 60_000);
    console.log(`      kubedos build-kubernetes: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${r.code}`);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    m = JSON.parse(r.stdout);
    console.log(
      `      ${m.cached ? 'from the cache' : `built: download ${m.seconds.download} s, compile ${m.seconds.compile} s, images ${m.seconds.images} s, package ${m.seconds.package} s`}`,
    );
  });

  it('packages kubelet, kubeadm, kubectl whose programs print the pinned release', async () => {
    assert.deepEqual(Object.keys(m.debs).sort(), [
      'etcd-client',
      'etcd-server',
      'kubeadm',
      'kubectl',
      'kubedos-images',
      'kubelet',
    ]);
    const root = tempDir('kube-debs');
    for (const d of Object.values(m.debs)) await execa('dpkg-deb', ['-x', path.join(m.dir, 'debs', d.file), root]);
    const ask = async (prog: string, ...args: string[]) => (await execa(path.join(root, 'usr/bin', prog), args)).stdout;
    assert.equal((await ask('kubeadm', 'version', '-o', 'short')).trim(), V);
    assert.equal((await ask('kubelet', '--version')).trim(), `Kubernetes ${V}`);
    const kubectl = JSON.parse(await ask('kubectl', 'version', '--client', '-o', 'json'));
    assert.equal(kubectl.clientVersion.gitVersion, V);
    assert.equal(kubectl.clientVersion.gitTreeState, 'clean');
    // The kubelet unit and kubeadm's drop-in are where upstream's packages put them.
    assert.match(
      fs.readFileSync(path.join(root, 'usr/lib/systemd/system/kubelet.service'), 'utf8'),
      /^ExecStart=\/usr\/bin\/kubelet$/m,
    );
    assert.match(
      fs.readFileSync(path.join(root, 'usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'), 'utf8'),
      /^ExecStart=\/usr\/bin\/kubelet \$KUBELET_KUBECONFIG_ARGS \$KUBELET_CONFIG_ARGS \$KUBELET_KUBEADM_ARGS \$KUBELET_EXTRA_ARGS$/m,
    );
    const control = (
      await execa('dpkg-deb', ['--field', path.join(m.dir, 'debs', m.debs.kubelet!.file), 'Package', 'Version'])
    ).stdout;
    assert.equal(control, `Package: kubelet\nVersion: ${V.slice(1)}-${pins.debRevision}`);
  });

  it('built the control plane, kube-proxy, etcd, CoreDNS, pause and agnhost at the pinned versions too', async () => {
    const bin = path.join(m.dir, 'bin');
    for (const p of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'])
      assert.equal((await execa(path.join(bin, p), ['--version'])).stdout.trim(), `Kubernetes ${V}`, p);
    assert.match(
      (await execa(path.join(bin, 'etcd'), ['--version'])).stdout,
      new RegExp(`etcd Version: ${pins.etcd.version.slice(1)}`),
    );
    assert.match(
      (await execa(path.join(bin, 'coredns'), ['-version'])).stdout,
      new RegExp(`^CoreDNS-${pins.coredns.version.slice(1)}$`, 'm'),
    );
    assert.ok(fs.statSync(path.join(bin, 'agnhost')).size > 0);
    assert.match((await execa('file', ['-b', path.join(bin, 'pause')])).stdout, /statically linked/);
    // Static: no ELF interpreter, so the programs run in a scratch image.
    const file = (await execa('file', ['-b', path.join(bin, 'kubelet')])).stdout;
    assert.match(file, /statically linked/);
  });

  it("repacks Debian's etcd-server and etcd-client with the pinned etcd, keeping Debian's unit and scripts", async () => {
    const E = pins.etcd.version.slice(1);
    const root = tempDir('etcd-debs');
    for (const p of ['etcd-server', 'etcd-client']) {
      const deb = path.join(m.dir, 'debs', m.debs[p]!.file);
      const fields = (await execa('dpkg-deb', ['--field', deb, 'Package', 'Version'])).stdout;
      assert.equal(fields, `Package: ${p}\nVersion: ${E}-${pins.debRevision}`);
      assert.match(m.repackedFrom[p]!, /^3\.5\./, `made from Debian 13's ${p}`);
      await execa('dpkg-deb', ['-x', deb, root]);
      const control = path.join(tempDir('etcd-control'), p);
      await execa('dpkg-deb', ['--control', deb, control]);
      // Every file's md5sum is the one dpkg will check after installing.
      const sums = fs.readFileSync(path.join(control, 'md5sums'), 'utf8');
      const check = await execa('md5sum', ['--check', '--quiet', '-'], { cwd: root, input: sums, reject: false });
      assert.equal(check.exitCode, 0, check.stdout + check.stderr);
      if (p === 'etcd-server')
        assert.match(fs.readFileSync(path.join(control, 'postinst'), 'utf8'), /adduser --system/);
    }
    assert.match(
      (await execa(path.join(root, 'usr/bin/etcd'), ['--version'])).stdout,
      new RegExp(`^etcd Version: ${E}$`, 'm'),
    );
    assert.match(
      (await execa(path.join(root, 'usr/bin/etcdctl'), ['version'])).stdout,
      new RegExp(`^etcdctl version: ${E}$`, 'm'),
    );
    assert.match(
      fs.readFileSync(path.join(root, 'usr/lib/systemd/system/etcd.service'), 'utf8'),
      /^EnvironmentFile=-\/etc\/default\/%p$/m,
    );
  });

  it("kubeadm accepts the plan's rendered configs, and names exactly the images built", async () => {
    const kubeadm = path.join(m.dir, 'bin', 'kubeadm');
    const dir = tempDir('kubeadm-configs');
    for (const [name, text] of Object.entries(renderedKubeadmConfigs(loadTopology()))) {
      const file = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(file, text, { mode: 0o600 });
      const r = await execa(kubeadm, ['config', 'validate', '--config', file], { reject: false, all: true });
      assert.equal(r.exitCode, 0, `kubeadm config validate ${name}: ${r.all}`);
    }
    const listed = (await execa(kubeadm, ['config', 'images', 'list', '--config', path.join(dir, 'init.yaml')])).stdout
      .split('\n')
      .filter(Boolean)
      .sort();
    // The external etcd is the platform's own: kubeadm lists no etcd image for it.
    const built = Object.values(m.images).map((i) => i.ref);
    assert.deepEqual(listed, built.filter((r) => !r.includes('/e2e-test-images/')).sort());
    assert.ok(built.includes(`registry.k8s.io/e2e-test-images/agnhost:${pins.images.agnhost}`), built.join(' '));
  });

  it('kubedos-images imports into a real containerd under those names, and the images run', async () => {
    const root = tempDir('kube-images');
    await execa('dpkg-deb', ['-x', path.join(m.dir, 'debs', m.debs['kubedos-images']!.file), root]);
    const dir = path.join(root, IMAGES_DIR);
    const ctd = await startContainerd();
    try {
      for (const f of fs.readdirSync(dir).sort()) await ctd.ctr(['images', 'import', path.join(dir, f)]);
      const refs = (await ctd.ctr(['images', 'ls', '-q'])).split('\n').filter(Boolean).sort();
      assert.deepEqual(
        refs,
        Object.values(m.images)
          .map((i) => i.ref)
          .sort(),
      );
      const run = (ref: string, ...cmd: string[]) => ctd.ctr(['run', '--rm', ref, `t${Date.now()}`, ...cmd]);
      const ref = (name: string) => m.images[name]!.ref;
      // kube-proxy programs nftables: its image carries a working nft.
      assert.match(await run(ref('kube-proxy'), 'nft', '--version'), /^nftables v1\./);
      assert.equal((await run(ref('kube-proxy'), 'kube-proxy', '--version')).trim(), `Kubernetes ${V}`);
      assert.equal(
        (await run(ref('coredns'), '/coredns', '-version')).split('\n')[0],
        `CoreDNS-${pins.coredns.version.slice(1)}`,
      );
      assert.equal((await run(ref('pause'), '/pause', '-v')).trim(), `pause.c v${pins.images.pause}-${V}`);
      assert.equal((await run(ref('kube-apiserver'), 'kube-apiserver', '--version')).trim(), `Kubernetes ${V}`);
    } finally {
      await ctd.stop();
    }
  });

  it('a second build takes the cache entry', async () => {
    const again = await runBin('kubedos', ['build-kubernetes', '--json'], env, 10 * 60_000);
    assert.equal(again.code, 0, again.stderr);
    const cached = JSON.parse(again.stdout);
    assert.equal(cached.cached, true);
    assert.equal(cached.dir, m.dir);
  });

  it('a build killed half-way leaves no entry; the next clears its leftovers and gives the same bytes', async () => {
    const state = tempDir('kube-killed');
    // A whole second build (about 1 GB): removed, so repeated CI runs on one machine do not fill its disk.
    try {
      const root = kubernetesCacheDir(path.join(state, 'kubedos/cache'));
      const child = execa(path.join(import.meta.dirname, '../../bin/kubedos'), ['build-kubernetes'], {
        env: { ...env, XDG_STATE_HOME: state },
        reject: false,
      });
      const leftovers = () => (fs.existsSync(root) ? fs.readdirSync(root) : []);
      await until('the build to start its temporary folder', () => (leftovers().length ? true : undefined), 120_000);
      child.kill('SIGKILL');
      await child;
      assert.ok(
        leftovers().every((n) => /^\..+\.\d+\.tmp$/.test(n)),
        `only a temporary folder is left: ${leftovers().join(', ')}`,
      );
      // Built again in that cache: linked and packaged anew (compiled objects come from GOCACHE).
      const other = await buildKubernetes({ cacheDir: path.join(state, 'kubedos/cache'), env });
      assert.equal(other.cached, false);
      assert.deepEqual(leftovers(), [path.basename(other.dir)], "the killed build's folder is gone");
      for (const [name, p] of Object.entries(m.programs))
        assert.equal(other.manifest.programs[name]?.sha256, p.sha256, name);
      for (const [name, i] of Object.entries(m.images))
        assert.equal(other.manifest.images[name]?.sha256, i.sha256, name);
      for (const [name, d] of Object.entries(m.debs)) assert.equal(other.manifest.debs[name]?.sha256, d.sha256, name);
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });
});
