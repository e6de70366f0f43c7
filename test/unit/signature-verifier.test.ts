import assert from 'node:assert/strict';
import { SignatureVerifier } from '../../hub/enrollment/signature-verifier.ts';
import { generateSigningKeyPair, sign } from '../../shared/keys/ed25519.ts';

describe('signature verifier (worker thread)', () => {
  const verifier = new SignatureVerifier();
  after(() => verifier.close());

  it('accepts good signatures and refuses bad or malformed ones, in one batch', async () => {
    const kp = generateSigningKeyPair();
    const msg = Buffer.from('enroll');
    const sig = sign(kp.seed, msg);
    const other = generateSigningKeyPair();
    const results = await Promise.all([
      verifier.verify([kp.publicKey, msg, sig]),
      verifier.verify([kp.publicKey, Buffer.from('enrolL'), sig]),
      verifier.verify([other.publicKey, msg, sig]),
      verifier.verify([kp.publicKey.subarray(0, 31), msg, sig]),
      verifier.verify([kp.publicKey, msg, sig.subarray(1)]),
    ]);
    assert.deepEqual(results, [true, false, false, false, false]);
  });

  it('counts the checks asked for and not answered yet (what the hub bounds under a flood)', async () => {
    const kp = generateSigningKeyPair();
    const msg = Buffer.from('count');
    const sig = sign(kp.seed, msg);
    assert.equal(verifier.inFlight, 0);
    const asked = Array.from({ length: 50 }, () => verifier.verify([kp.publicKey, msg, sig]));
    assert.equal(verifier.inFlight, 50);
    assert.ok((await Promise.all(asked)).every(Boolean));
    assert.equal(verifier.inFlight, 0);
  });

  it('keeps answering (inline) after its worker is gone', async () => {
    await verifier.close();
    const kp = generateSigningKeyPair();
    const msg = Buffer.from('after');
    assert.equal(await verifier.verify([kp.publicKey, msg, sign(kp.seed, msg)]), true);
  });
});
