// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs this polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** @peculiar/x509, set up with Node's WebCrypto: import X.509 from here, never directly. */
export { x509, webcrypto };

/** The one key type kubedos makes: ECDSA P-256 with SHA-256, for its CAs and for every node key. */
export const P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function newP256Keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A private key as PKCS#8 PEM ("PRIVATE KEY"). */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A random positive 128-bit serial number, as RFC 5280 asks. */
export function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
