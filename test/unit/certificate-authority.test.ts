import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CertificateAuthority } from '../../shared/pki/certificate-authority.ts';
import { x509 } from '../../shared/pki/x509.ts';

describe('certificate authority: made once, its key and certificate a pair', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-ca-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('two callers at once get one CA, and what it signs verifies against the certificate on disk', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => CertificateAuthority.ensure(dir, 'test-ca', 'lab')));
    assert.equal(a!.certPem, b!.certPem);
    assert.equal(b!.certPem, c!.certPem);
    const onDisk = fs.readFileSync(CertificateAuthority.files(dir, 'test-ca').cert, 'utf8');
    assert.equal(a!.certPem, onDisk);
    // Signed with the key on disk (loaded again), checked with the certificate on disk.
    const again = await CertificateAuthority.ensure(dir, 'test-ca', 'lab');
    const leaf = new x509.X509Certificate((await again.issue({ commonName: 'leaf', usage: 'client' })).certPem);
    assert.ok(await leaf.verify({ publicKey: new x509.X509Certificate(onDisk).publicKey, signatureOnly: true }));
  });
});
