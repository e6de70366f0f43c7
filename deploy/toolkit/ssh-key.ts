import fs from 'node:fs';
import { UserError } from '../../shared/errors.ts';

/** The operator's SSH public key file, for the admin login on every node. */
export function readSshKey(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`SSH public key ${file} is not readable: ${(err as NodeJS.ErrnoException).code}`);
  }
}
