import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { CertificateAuthority, CertPair, IssueRequest } from './ca.ts';

/**
 * Issued certificates are kept in the hub's state dir beside the request
 * they answer, so every plan build hands a node the same bytes (a rerun
 * reports unchanged) and a changed topology (new SANs) issues a new one.
 */
export async function ensureIssued(
  ca: CertificateAuthority,
  dir: string,
  name: string,
  req: IssueRequest,
): Promise<CertPair> {
  ensurePrivateDir(dir);
  const base = path.join(dir, name);
  const wanted = JSON.stringify({ ca: ca.certPem, req });
  const files = { req: `${base}.req.json`, cert: `${base}.crt`, key: `${base}.key` };
  if (
    [files.req, files.cert, files.key].every((f) => fs.existsSync(f)) &&
    fs.readFileSync(files.req, 'utf8') === wanted
  ) {
    return { certPem: fs.readFileSync(files.cert, 'utf8'), keyPem: fs.readFileSync(files.key, 'utf8') };
  }
  const pair = await ca.issue(req);
  // The request file is written last: it is what marks the pair complete.
  fs.rmSync(files.req, { force: true });
  writeFileAtomic(files.key, pair.keyPem, 0o600);
  writeFileAtomic(files.cert, pair.certPem, 0o644);
  writeFileAtomic(files.req, wanted, 0o600);
  return pair;
}
