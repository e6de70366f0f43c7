import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadIdentityFile } from '../../minion/config.ts';
import { buildEnrollRequest, CredentialGone } from '../../minion/enrollment-request.ts';
import { forgetCredential } from '../../minion/forget-credential.ts';
import { loadOrCreateNodeKeys } from '../../minion/node-keys.ts';
import { generateSigningKeyPair } from '../../shared/keys/ed25519.ts';
import { tempDir } from '../support/hub-fixture.ts';

describe('the minion forgets its enrollment credential once enrolled (a real node’s seed asks it to)', function () {
  it('rewrites the identity file 0600 without the credential, and refuses to enroll from it again', async function () {
    const dir = tempDir('forget-credential');
    const file = path.join(dir, 'identity.json');
    const seed = Buffer.from(generateSigningKeyPair().seed).toString('base64');
    fs.writeFileSync(file, JSON.stringify({ deployment: 'd', node: 'w-1', credentialSeed: seed }), { mode: 0o600 });
    const identity = loadIdentityFile(file);
    forgetCredential(file, identity);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes(seed));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const again = loadIdentityFile(file);
    assert.deepEqual(again, { deployment: 'd', node: 'w-1' });
    const keys = loadOrCreateNodeKeys(path.join(dir, 'state'));
    await assert.rejects(
      async () => buildEnrollRequest(again, keys, { smbiosUuid: '', smbiosSerial: '' }, {} as never),
      CredentialGone,
    );
  });
});
