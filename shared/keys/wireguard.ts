import nacl from 'tweetnacl';

/**
 * WireGuard keys: a Curve25519 private key clamped the way `wg genkey` does
 * (RFC 7748), and its public key by scalar multiplication with the base
 * point, so `wg pubkey` of the private key prints the same public key.
 */
export interface WireguardKeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export function clampPrivateKey(key: Uint8Array): Uint8Array {
  const k = Uint8Array.from(key);
  k[0]! &= 248;
  k[31]! &= 127;
  k[31]! |= 64;
  return k;
}

export function generateWireguardKeyPair(): WireguardKeyPair {
  return wireguardKeyPairFromPrivate(clampPrivateKey(nacl.randomBytes(32)));
}

export function wireguardKeyPairFromPrivate(privateKey: Uint8Array): WireguardKeyPair {
  if (privateKey.length !== 32) throw new Error('a WireGuard private key is 32 bytes');
  return { privateKey, publicKey: nacl.scalarMult.base(privateKey) };
}

export function toBase64(key: Uint8Array): string {
  return Buffer.from(key).toString('base64');
}

export function fromBase64Key(text: string): Uint8Array {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error('a WireGuard key is 32 bytes of base64');
  return new Uint8Array(key);
}
