import nacl from 'tweetnacl';

/**
 * Data sealed to one recipient's Curve25519 public key (NaCl's box with a
 * key made for this one message, XSalsa20-Poly1305): whoever seals cannot
 * open, only the holder of the recipient's private key can, and any change
 * to the sealed bytes makes opening fail. The hub seals its backups this
 * way to the deployment's recovery key, whose private half never reaches
 * the master.
 *
 * Layout: MAGIC, the one-message public key (32 bytes), the nonce (24), the box.
 */
const MAGIC = Buffer.from('KDSEAL1\n');

export function seal(data: Uint8Array, recipientPublicKey: Uint8Array): Buffer {
  const once = nacl.box.keyPair();
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const box = nacl.box(data, nonce, recipientPublicKey, once.secretKey);
  return Buffer.concat([MAGIC, once.publicKey, nonce, box]);
}

/** The sealed data, or why it cannot be opened (not sealed data; another key; changed since it was sealed). */
export function openSealed(sealed: Uint8Array, recipientPrivateKey: Uint8Array): Buffer | { error: string } {
  const b = Buffer.from(sealed);
  const head = MAGIC.length + nacl.box.publicKeyLength + nacl.box.nonceLength;
  if (b.length < head + nacl.box.overheadLength || !b.subarray(0, MAGIC.length).equals(MAGIC))
    return { error: 'not a kubedos sealed file' };
  const sender = b.subarray(MAGIC.length, MAGIC.length + nacl.box.publicKeyLength);
  const nonce = b.subarray(MAGIC.length + nacl.box.publicKeyLength, head);
  const opened = nacl.box.open(b.subarray(head), nonce, sender, recipientPrivateKey);
  if (!opened) return { error: 'it does not open with this key, or it was changed after it was sealed' };
  return Buffer.from(opened);
}
