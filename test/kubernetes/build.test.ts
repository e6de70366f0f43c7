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
import { tempDir } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';
import { runBin } from '../support/run-bin.ts';
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
    requireSystem(this, { commands: ['dpkg-deb', 'file'], files: ['/usr/local/go/bin/go'] });
    const started = Date.now();
    const r = await runBin('kubedos', ['build-kubernetes', '--json'], env, 40 * 60_000);
    console.log(`      kubedos build-kubernetes: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${r.code}`);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    m = JSON.parse(r.stdout);
    console.log(
      `      ${m.cached ? 'from the cache' : `built: download ${m.seconds.download} s, compile ${m.seconds.compile} s, package ${m.seconds.package} s`}`,
    );
  });

  it('packages kubelet, kubeadm, kubectl whose programs print the pinned release', async () => {
    assert.deepEqual(Object.keys(m.debs).sort(), ['kubeadm', 'kubectl', 'kubelet']);
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

  it('built the control plane, kube-proxy, etcd and agnhost at the pinned versions too', async () => {
    const bin = path.join(m.dir, 'bin');
    for (const p of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'])
      assert.equal((await execa(path.join(bin, p), ['--version'])).stdout.trim(), `Kubernetes ${V}`, p);
    assert.match(
      (await execa(path.join(bin, 'etcd'), ['--version'])).stdout,
      new RegExp(`etcd Version: ${pins.etcd.version.slice(1)}`),
    );
    assert.ok(fs.statSync(path.join(bin, 'agnhost')).size > 0);
    // Static: no ELF interpreter, so the programs run in a scratch image.
    const file = (await execa('file', ['-b', path.join(bin, 'kubelet')])).stdout;
    assert.match(file, /statically linked/);
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
    for (const [name, d] of Object.entries(m.debs)) assert.equal(other.manifest.debs[name]?.sha256, d.sha256, name);
  });
});
