import fs from 'node:fs';
import path from 'node:path';

/**
 * The .proto text. Kept in one module so the single-executable build can
 * replace it with the text inlined (no file beside the binary).
 */
export function protoSource(): string {
  return fs.readFileSync(path.resolve(import.meta.dirname, '../../proto/kubedos/v1/hub.proto'), 'utf8');
}
