import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import nacl from 'tweetnacl';
import { generateSigningKeyPair, sign, signingKeyPairFromSeed, verify } from '../../shared/keys/ed25519.ts';

describe('Ed25519 signatures', () => {
  it('node:crypto signs exactly as tweetnacl does (same RFC 8032 signatures)', () => {
    for (let i = 0; i < 5; i++) {
      const kp = generateSigningKeyPair();
      const msg = crypto.randomBytes(200);
      const ours = sign(kp.seed, msg);
      const theirs = nacl.sign.detached(msg, nacl.sign.keyPair.fromSeed(kp.seed).secretKey);
      assert.deepEqual(Buffer.from(ours), Buffer.from(theirs));
      assert.ok(nacl.sign.detached.verify(msg, ours, kp.publicKey));
    }
  });

  it('verifies a good signature and refuses a changed message, a wrong key and malformed input', () => {
    const kp = generateSigningKeyPair();
    const msg = Buffer.from('enroll w-1');
    const sig = sign(kp.seed, msg);
    assert.equal(verify(kp.publicKey, msg, sig), true);
    assert.equal(verify(kp.publicKey, Buffer.from('enroll w-2'), sig), false);
    assert.equal(verify(generateSigningKeyPair().publicKey, msg, sig), false);
    assert.equal(verify(kp.publicKey, msg, sig.subarray(0, 63)), false);
    assert.equal(verify(new Uint8Array(31), msg, sig), false);
  });

  it('derives the same public key from a stored seed', () => {
    const kp = generateSigningKeyPair();
    assert.deepEqual(signingKeyPairFromSeed(kp.seed).publicKey, kp.publicKey);
  });
});
