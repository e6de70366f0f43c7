/**
 * bench/ed25519: why signing and verifying go through node:crypto while keys
 * come from tweetnacl. Prints milliseconds per operation for both.
 *   node bench/ed25519.ts
 */
import crypto from 'node:crypto';
import nacl from 'tweetnacl';
import { generateSigningKeyPair, sign, verify } from '../shared/keys/ed25519.ts';

function time(label: string, n: number, fn: () => void): void {
  for (let i = 0; i < Math.min(20, n); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  console.log(`${label.padEnd(28)} ${((performance.now() - t0) / n).toFixed(3)} ms`);
}

const kp = generateSigningKeyPair();
const secret = nacl.sign.keyPair.fromSeed(kp.seed).secretKey;
const msg = crypto.randomBytes(300);
const sig = sign(kp.seed, msg);
time('tweetnacl keypair', 100, () => nacl.sign.keyPair());
time('tweetnacl curve25519 keypair', 100, () => nacl.box.keyPair());
time('tweetnacl sign', 100, () => nacl.sign.detached(msg, secret));
time('tweetnacl verify', 100, () => nacl.sign.detached.verify(msg, sig, kp.publicKey));
time('node:crypto sign', 2000, () => sign(kp.seed, msg));
time('node:crypto verify', 2000, () => verify(kp.publicKey, msg, sig));
