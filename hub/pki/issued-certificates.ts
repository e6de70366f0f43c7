import type { DatabaseSync } from 'node:sqlite';
import { renewalTime } from '../../shared/pki/renewal.ts';
import { x509 } from '../../shared/pki/x509.ts';

export interface IssuedCertificate {
  node: string;
  profile: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  issuedAt: number;
  /** When the node renews it (shared/pki/renewal.ts). */
  renewAt: number;
}

/** Keeps what the hub signed (never the key: it is the node's), so it can tell what expires when. */
export function recordIssued(db: DatabaseSync, node: string, profile: string, certPem: string, now = Date.now()): void {
  const c = new x509.X509Certificate(certPem);
  db.prepare(
    'INSERT OR IGNORE INTO issued_certificate (node, profile, serial, not_before, not_after, issued_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(node, profile, c.serialNumber, c.notBefore.getTime(), c.notAfter.getTime(), now);
}

/** The newest certificate of every node and profile: the one the node uses (it asks again only to renew). */
export function currentCertificates(db: DatabaseSync): IssuedCertificate[] {
  const rows = db
    .prepare(
      `SELECT c.* FROM issued_certificate c
        WHERE c.issued_at = (SELECT MAX(issued_at) FROM issued_certificate x WHERE x.node = c.node AND x.profile = c.profile)
        ORDER BY c.not_after, c.node, c.profile`,
    )
    .all() as Array<{
    node: string;
    profile: string;
    serial: string;
    not_before: number;
    not_after: number;
    issued_at: number;
  }>;
  const seen = new Set<string>();
  return rows.flatMap((r) => {
    const key = `${r.node}/${r.profile}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [
      {
        node: r.node,
        profile: r.profile,
        serial: r.serial,
        notBefore: r.not_before,
        notAfter: r.not_after,
        issuedAt: r.issued_at,
        renewAt: renewalTime(r.not_before, r.not_after),
      },
    ];
  });
}

/** Current certificates past their renewal time: a convergence renews them. */
export function certificatesDue(db: DatabaseSync, now = Date.now()): IssuedCertificate[] {
  return currentCertificates(db).filter((c) => now >= c.renewAt);
}
