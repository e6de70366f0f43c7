import assert from 'node:assert/strict';
import fs from 'node:fs';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { ensureDeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';
import { CertificateAuthority } from '../../shared/pki/certificate-authority.ts';
import { issueHubTlsLeaf } from '../../shared/pki/hub-tls.ts';
import { HUB_TLS_NAME } from '../../shared/pki/hub-tls-name.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { startHub, tempDir, type HubFixture } from '../support/hub-fixture.ts';
import { until } from '../support/until.ts';

/** The certificate the hub's node port serves, read by a TLS client that trusts only the pinned CA. */
function served(port: number, caPem: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, ca: caPem, servername: HUB_TLS_NAME, ALPNProtocols: ['h2'] },
      () => {
        const cert = socket.getPeerX509Certificate();
        socket.end();
        if (cert) resolve(cert);
        else reject(new Error('no peer certificate'));
      },
    );
    socket.on('error', reject);
  });
}

/**
 * The hub serves a leaf issued by its TLS CA (what nodes pin), never the CA
 * itself; it issues itself the next one when a third of its life is left,
 * and nodes that pin the CA keep connecting and enrolling across it.
 */
describe('the hub’s TLS: a short-lived leaf from the CA nodes pin, renewed by the hub', function () {
  let f: HubFixture;
  afterEach(() => f?.close());

  it('serves a leaf: not a CA, server authentication only, the fixed name, issued by the pinned CA', async () => {
    f = await startHub();
    const ca = new X509Certificate(f.secrets.hubCaPem);
    assert.equal(ca.ca, true);
    const leaf = await served(f.hub.port, f.secrets.hubCaPem);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'issued by the CA the nodes pin');
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth only');
    assert.equal(leaf.subjectAltName, `DNS:${HUB_TLS_NAME}`);
    const life = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
    assert.ok(life <= 31 * 86_400_000, `lives ${life / 86_400_000} days`);
    assert.notEqual(leaf.fingerprint256, ca.fingerprint256);
    // The CA's key is on the master only: the hub's folder, 0600.
    assert.equal(fs.statSync(f.secrets.hubCaKeyPath).mode & 0o777, 0o600);
  });

  it('renews its leaf by itself, and a node pinning the CA enrolls across the renewal', async () => {
    // A six-second leaf: renewed with two seconds left, checked every 200 ms.
    f = await startHub({ tlsLeafLifetimeMs: 6_000 });
    const first = await served(f.hub.port, f.secrets.hubCaPem);
    const next = await until(
      'a renewed leaf',
      async () => {
        const c = await served(f.hub.port, f.secrets.hubCaPem);
        return c.serialNumber !== first.serialNumber ? c : undefined;
      },
      15_000,
    );
    assert.ok(next.checkIssued(new X509Certificate(f.secrets.hubCaPem)));
    assert.ok(Date.parse(next.validTo) > Date.parse(first.validTo));
    // The enrollment client was connected before the renewal; a new call goes through.
    await f.openWindow();
    const r = await f.enroll(f.request('w-1'));
    assert.equal(r.node, 'w-1');
  });
});

describe('a secrets folder from before the hub TLS CA', () => {
  it('keeps the self-signed certificate its nodes pin: it becomes the CA, and the hub serves a leaf from it', async () => {
    const dir = tempDir('old-secrets');
    try {
      // The old layout: hub/tls.crt, a self-signed CA with serverAuth, and its key.
      const old = await CertificateAuthority.ensure(path.join(dir, 'old'), 'old', 'example');
      const oldFiles = CertificateAuthority.files(path.join(dir, 'old'), 'old');
      fs.mkdirSync(path.join(dir, 'secrets', 'hub'), { recursive: true, mode: 0o700 });
      fs.copyFileSync(oldFiles.cert, path.join(dir, 'secrets', 'hub', 'tls.crt'));
      fs.copyFileSync(oldFiles.key, path.join(dir, 'secrets', 'hub', 'tls.key'));
      const secrets = await ensureDeploymentSecrets(path.join(dir, 'secrets'), loadTopology());
      assert.equal(secrets.hubCaPem, old.certPem, 'the pin the nodes hold');
      assert.ok(!fs.existsSync(path.join(dir, 'secrets', 'hub', 'tls.key')));
      const ca = await CertificateAuthority.fromPem(secrets.hubCaPem, fs.readFileSync(secrets.hubCaKeyPath, 'utf8'));
      const leaf = new X509Certificate((await issueHubTlsLeaf(ca)).certPem);
      assert.ok(leaf.checkIssued(new X509Certificate(old.certPem)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
