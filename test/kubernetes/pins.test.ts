import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import { goFailure } from '../../iso-builder/kubernetes/go-build.ts';
import { findGoToolchain } from '../../iso-builder/kubernetes/go-toolchain.ts';
import { compareGoVersions, loadKubePins, PINS_DIR } from '../../iso-builder/kubernetes/pins.ts';
import { tempDir } from '../support/hub-fixture.ts';

/** A copy of the checked-in pins and wrapper modules, to break one thing in. */
function copyPins(): string {
  const dir = tempDir('kube-pins');
  fs.cpSync(PINS_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return dir;
}

describe('Kubernetes pins: one checked-in file, and wrapper modules that must agree with it', () => {
  it('reads the checked-in pins: Kubernetes with every staging module at its published twin, etcd, the Go they need', () => {
    const pins = loadKubePins();
    assert.match(pins.kubernetes.version, /^v1\.\d+\.\d+$/);
    assert.match(pins.etcd.version, /^v3\.\d+\.\d+$/);
    assert.equal(pins.minimumGo, '1.25.0');
    const goMod = fs.readFileSync(path.join(pins.kubernetes.moduleDir, 'go.mod'), 'utf8');
    assert.ok(goMod.includes(`k8s.io/kubernetes ${pins.kubernetes.version}`));
    assert.ok(goMod.includes(`k8s.io/client-go => k8s.io/client-go v0.${pins.kubernetes.version.slice(3)}`));
  });

  it('refuses a pin bumped without its wrapper module, and a staging twin of another release, naming both', () => {
    const dir = copyPins();
    const pinsFile = path.join(dir, 'pins.json');
    const pins = JSON.parse(fs.readFileSync(pinsFile, 'utf8'));
    pins.kubernetes.version = 'v1.35.5';
    fs.writeFileSync(pinsFile, JSON.stringify(pins));
    assert.throws(
      () => loadKubePins(dir),
      (e: Error) =>
        e instanceof UserError && /requires k8s\.io\/kubernetes v1\.35\.4, but .* pins v1\.35\.5/.test(e.message),
    );
    const dir2 = copyPins();
    const mod = path.join(dir2, 'modules/kubernetes/go.mod');
    fs.writeFileSync(
      mod,
      fs.readFileSync(mod, 'utf8').replace('k8s.io/api => k8s.io/api v0.35.4', 'k8s.io/api => k8s.io/api v0.34.1'),
    );
    assert.throws(
      () => loadKubePins(dir2),
      /replaces k8s\.io\/api with k8s\.io\/api v0\.34\.1, not k8s\.io\/api v0\.35\.4/,
    );
  });

  it('refuses a CoreDNS pin its wrapper does not require, and image pins that are not versions or package names', () => {
    const dir = copyPins();
    const pinsFile = path.join(dir, 'pins.json');
    const pins = JSON.parse(fs.readFileSync(pinsFile, 'utf8'));
    fs.writeFileSync(pinsFile, JSON.stringify({ ...pins, coredns: { ...pins.coredns, version: 'v1.14.0' } }));
    assert.throws(() => loadKubePins(dir), /requires github\.com\/coredns\/coredns v1\.13\.1, but .* pins v1\.14\.0/);
    fs.writeFileSync(pinsFile, JSON.stringify({ ...pins, images: { ...pins.images, pause: 'latest' } }));
    assert.throws(() => loadKubePins(dir), /images\.pause is "latest"/);
    const base = { suite: 'trixie', packages: ['nftables', '$(reboot)'] };
    fs.writeFileSync(pinsFile, JSON.stringify({ ...pins, images: { ...pins.images, kubeProxyBase: base } }));
    assert.throws(() => loadKubePins(dir), /images\.kubeProxyBase\.packages is .* not a list of Debian package names/);
  });

  it('refuses a wrapper module without its go.sum, and a pins file that is not what it should be', () => {
    const dir = copyPins();
    fs.rmSync(path.join(dir, 'modules/etcd/go.sum'));
    assert.throws(() => loadKubePins(dir), /go\.sum is missing: without it no module is verified by hash/);
    const dir2 = copyPins();
    fs.writeFileSync(path.join(dir2, 'pins.json'), '{"kubernetes": {"version": "latest"}}');
    assert.throws(() => loadKubePins(dir2), /kubernetes\.version is "latest"/);
  });

  it('orders Go versions as the go command does', () => {
    assert.ok(compareGoVersions('1.26.8', '1.25.0') > 0);
    assert.ok(compareGoVersions('1.24.4', '1.25.0') < 0);
    assert.ok(compareGoVersions('1.25rc1', '1.25.0') < 0);
    assert.equal(compareGoVersions('1.25', '1.25.0'), 0);
  });

  it('refuses a go older than the pins need, with what to do', async () => {
    const bin = tempDir('old-go');
    fs.writeFileSync(path.join(bin, 'go'), '#!/bin/sh\necho go1.24.4\n', { mode: 0o755 });
    // The go found is the one on the build's PATH, whatever this process's PATH says.
    const env = { PATH: `${bin}:/usr/bin:/bin` };
    await assert.rejects(
      findGoToolchain('1.25.0', env),
      (e: Error) =>
        e instanceof UserError &&
        /is Go 1\.24\.4; the Kubernetes pins need Go 1\.25\.0 or newer/.test(e.message) &&
        /GOTOOLCHAIN=go1\.25\.0/.test(e.hint ?? ''),
    );
  });

  it('turns a failed go command into one line saying what and what to do', () => {
    const mismatch = goFailure(
      'go: downloading k8s.io/api v0.35.4\nverifying k8s.io/api@v0.35.4: checksum mismatch\n\tdownloaded: h1:AAA\n\tgo.sum:     h1:BBB\n\nSECURITY ERROR\n',
      'go mod download',
    );
    assert.match(
      mismatch.message,
      /does not match its hash in go\.sum \(verifying k8s\.io\/api@v0\.35\.4: checksum mismatch\)/,
    );
    assert.match(mismatch.hint ?? '', /do not edit go\.sum/);
    const full = goFailure('/root/.cache/go-build/ab/x: write: no space left on device', 'go build');
    assert.match(full.message, /the disk is full/);
    assert.match(full.hint ?? '', /nothing was kept/);
    const gone = goFailure(
      'go: k8s.io/kubernetes@v1.35.9: reading https://proxy.golang.org/k8s.io/kubernetes/@v/v1.35.9.info: 404 Not Found',
      'go mod download',
    );
    assert.match(gone.message, /the module proxy does not serve a pinned module/);
    assert.equal(
      goFailure('# k8s.io/x\nfoo.go:1: syntax error', 'go build').message,
      'go build failed: foo.go:1: syntax error',
    );
  });
});
