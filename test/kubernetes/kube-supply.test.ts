import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../shared/errors.ts';
import { findExtraDebs } from '../../iso-builder/extra-debs.ts';
import { kubernetesDebs } from '../../iso-builder/kubernetes/kube-supply.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';

/** A tiny package standing in for one of upstream's: only its name and version matter here. */
async function fakeDeb(dir: string, name: string, version: string, arch = 'amd64'): Promise<void> {
  const root = path.join(tempDir('fake-deb'), name);
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\nMaintainer: t <t@t>\nDescription: t\n`,
  );
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, path.join(dir, `${name}_${version}_${arch}.deb`)]);
}

const KUBE = ['kubelet', 'kubeadm', 'kubectl'];

describe('Kubernetes packages for the image: the operator’s first, one release only', function () {
  before(function () {
    requireSystem(this, { commands: ['dpkg-deb'] });
  });

  it('refuses, in one line naming the file, a .deb that is not one or is for another architecture', async () => {
    const bad = tempDir('extra-debs-bad');
    fs.writeFileSync(path.join(bad, 'kubelet_1.35.4-1.1_amd64.deb'), 'not a deb');
    await assert.rejects(
      findExtraDebs(bad, KUBE),
      (err: Error) =>
        err instanceof UserError && /kubelet_1\.35\.4-1\.1_amd64\.deb is not a well-formed \.deb/.test(err.message),
    );
    const arm = tempDir('extra-debs-arm');
    await fakeDeb(arm, 'kubelet', '1.35.4-1.1', 'arm64');
    await assert.rejects(
      findExtraDebs(arm, KUBE),
      (err: Error) => err instanceof UserError && /is for architecture "arm64"; the nodes are amd64/.test(err.message),
    );
  });

  it('takes all three from --extra-debs when the operator gives them, building nothing', async () => {
    const t = loadTopology();
    const dir = tempDir('extra-debs');
    for (const k of KUBE) await fakeDeb(dir, k, `${t.kubernetes.version}-1.1`);
    const operator = await findExtraDebs(dir, KUBE);
    // No cache dir that exists: a build would have to make one.
    const cacheDir = path.join(tempDir('no-cache'), 'absent');
    const built = await kubernetesDebs({ topology: t, wanted: KUBE, fromOperator: operator.found, cacheDir });
    assert.deepEqual(built, []);
    assert.equal(fs.existsSync(cacheDir), false, 'nothing was built');
  });

  it('refuses a mix of releases before anything is built, naming each package, its version and where it came from', async () => {
    const t = loadTopology();
    const dir = tempDir('extra-debs');
    await fakeDeb(dir, 'kubelet', `${t.kubernetes.version}-1.1`);
    await fakeDeb(dir, 'kubeadm', '1.34.2-1.1');
    await fakeDeb(dir, 'kubectl', `${t.kubernetes.version}-1.1`);
    const operator = await findExtraDebs(dir, KUBE);
    const cacheDir = path.join(tempDir('no-cache'), 'absent');
    await assert.rejects(
      kubernetesDebs({ topology: t, wanted: KUBE, fromOperator: operator.found, cacheDir }),
      (e: Error) =>
        e instanceof UserError &&
        e.message ===
          `Kubernetes packages of another release than the topology's ${t.kubernetes.version}: kubeadm 1.34.2-1.1 (--extra-debs)`,
    );
    assert.equal(fs.existsSync(cacheDir), false);
  });

  it('refuses an operator package of another release before building the ones it lacks', async () => {
    const t = loadTopology();
    const dir = tempDir('extra-debs');
    await fakeDeb(dir, 'kubeadm', '1.34.2-1.1');
    const operator = await findExtraDebs(dir, KUBE);
    const cacheDir = path.join(tempDir('no-cache'), 'absent');
    await assert.rejects(
      kubernetesDebs({ topology: t, wanted: KUBE, fromOperator: operator.found, cacheDir }),
      /kubeadm 1\.34\.2-1\.1 \(--extra-debs\)$/,
    );
    assert.equal(fs.existsSync(cacheDir), false, 'nothing was built');
  });

  it('refuses a topology of another release than the pins when it would have to build, before building', async () => {
    const t = { ...loadTopology(), kubernetes: { ...loadTopology().kubernetes, version: '1.34.2' } };
    const cacheDir = path.join(tempDir('no-cache'), 'absent');
    await assert.rejects(
      kubernetesDebs({ topology: t, wanted: KUBE, fromOperator: [], cacheDir }),
      (e: Error) =>
        e instanceof UserError &&
        /^the topology asks for Kubernetes 1\.34\.2, but kubedos builds 1\.35\.\d+ \(iso-builder\/kubernetes\/pins\.json\)$/.test(
          e.message,
        ),
    );
    assert.equal(fs.existsSync(cacheDir), false);
  });

  it('wants nothing for a topology without Kubernetes nodes', async () => {
    const t = loadTopology();
    assert.deepEqual(
      await kubernetesDebs({ topology: t, wanted: ['grafana'], fromOperator: [], cacheDir: '/nonexistent' }),
      [],
    );
  });
});
