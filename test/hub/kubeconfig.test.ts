import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { x509 } from '../../shared/pki/x509.ts';
import { startHub, type HubFixture } from '../support/hub-fixture.ts';
import { runBin } from '../support/run-bin.ts';

interface Kubeconfig {
  clusters: Array<{ name: string; cluster: { server: string; 'certificate-authority-data': string } }>;
  users: Array<{ name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }>;
  'current-context': string;
}

/**
 * hubctl kubeconfig against a running hub: the key is made by hubctl, the
 * hub signs only the request, with the cluster CA it keeps. (No API server
 * runs here: kubeadm is not in Debian; the certificate is checked against
 * the CA the control planes are given.)
 */
describe('hubctl kubeconfig', function () {
  this.timeout(60_000);
  let f: HubFixture;
  let hubDir: string;
  before(async () => {
    f = await startHub();
    hubDir = path.join(f.dir, 'hub');
  });
  after(() => f.close());

  it('writes a 0600 kubeconfig for the API VIP whose client certificate the cluster CA signed for the key beside it', async () => {
    const out = path.join(f.dir, 'ops', 'admin.conf');
    const r = await runBin(
      'hubctl',
      ['--hub-dir', hubDir, 'kubeconfig', '--out', out, '--ttl', '2h', '--user', 'alice'],
      process.env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /wrote .*admin\.conf \(0600\): https:\/\/10\.10\.0\.\d+:6443 as kubedos-admin:alice, until /,
    );
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    const k = parse(fs.readFileSync(out, 'utf8')) as Kubeconfig;
    assert.equal(k.clusters[0]!.cluster.server, `https://${f.topology.apiVip}:6443`);
    const pem = (b: string) => Buffer.from(b, 'base64').toString('utf8');
    const caPem = pem(k.clusters[0]!.cluster['certificate-authority-data']);
    assert.equal(caPem, fs.readFileSync(path.join(hubDir, 'pki', 'kubernetes-ca.crt'), 'utf8'));
    const cert = new x509.X509Certificate(pem(k.users[0]!.user['client-certificate-data']));
    const ca = new x509.X509Certificate(caPem);
    assert.ok(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }), 'signed by the cluster CA');
    assert.equal(cert.subject, 'CN=kubedos-admin:alice, O=kubeadm:cluster-admins');
    const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)!;
    assert.deepEqual([...eku.usages], [x509.ExtendedKeyUsage.clientAuth]);
    const left = cert.notAfter.getTime() - Date.now();
    assert.ok(left > 119 * 60_000 && left <= 120 * 60_000, String(left));
    // The key in the file is the one the certificate is for.
    const key = await crypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decode(pem(k.users[0]!.user['client-key-data']))[0]!,
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['sign'],
    );
    const jwk = await crypto.subtle.exportKey('jwk', key);
    const pub = await crypto.subtle.exportKey('jwk', await cert.publicKey.export());
    assert.deepEqual([jwk.x, jwk.y], [pub.x, pub.y]);
    // The hub kept no key, and says who got what in its audit log.
    assert.ok(!fs.readFileSync(path.join(hubDir, 'audit.log'), 'utf8').includes('PRIVATE KEY'));
    assert.match(fs.readFileSync(path.join(hubDir, 'audit.log'), 'utf8'), /"call":"IssueKubeconfig".*"result":"ok"/);
  });

  it('refuses a lifetime beyond 30 days in one line, and writes nothing', async () => {
    const out = path.join(f.dir, 'ops', 'long.conf');
    const r = await runBin('hubctl', ['--hub-dir', hubDir, 'kubeconfig', '--out', out, '--ttl', '31d'], process.env);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
    assert.match(r.stderr, /a kubeconfig lasts from one minute to 30 days/);
    assert.ok(!fs.existsSync(out));
  });
});
