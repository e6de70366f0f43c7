import fs from 'node:fs';
import { UserError } from '../errors.ts';
import { fromBase64Key } from '../keys/wireguard.ts';

/** A file the operator named: its bytes, or one line saying which file could not be read and why. */
export function readInputFile(what: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UserError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** A Curve25519 key file (`wg genkey` form: base64 and a newline), or one line saying what is wrong with it. */
export function readKeyFile(what: string, file: string): Uint8Array {
  const text = readInputFile(what, file).toString('utf8');
  try {
    return fromBase64Key(text);
  } catch {
    throw new UserError(`${what} ${file} is not a key (32 bytes of base64)`);
  }
}
