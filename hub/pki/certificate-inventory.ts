import fs from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import type { CertificateInfo } from '../../proto/gen/kubedos/v1/CertificateInfo.ts';
import { x509 } from '../../shared/pki/x509.ts';
import { CertificateAuthority } from '../../shared/pki/certificate-authority.ts';
import { SecretStore } from '../converge/secrets.ts';
import { JOIN_TOKEN_SECRET, JOIN_TOKEN_TTL_MS } from '../plan/render/kubeadm.ts';
import { JOIN_TOKEN_MAX_AGE_MS } from '../plan/roles/control-plane.ts';
import { currentCertificates } from './issued-certificates.ts';

/** The hub's TLS CA (what every node pins) and the certificate the hub serves now. */
export interface HubTlsView {
  caPem: string;
  certPem: string;
  renewAtMs: number;
}

/**
 * hubctl certs: everything with an expiry the hub made or signed, soonest
 * first, and what renews it. The CAs are valid for ten years and are not
 * renewed by the hub: the note says so. The certificate the hub serves is
 * renewed by the hub itself. The join token's expiry is kubeadm's TTL from
 * when it went into the cluster (the hub cannot ask the cluster here).
 */
export function certificateInventory(db: DatabaseSync, pkiDir: string, hubTls?: HubTlsView): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  const expiry = (pem: string) => new x509.X509Certificate(pem).notAfter.getTime();
  if (hubTls)
    out.push(
      {
        kind: 'hub-tls-ca',
        name: 'hub TLS CA (pinned by every node)',
        node: '',
        notAfterMs: expiry(hubTls.caPem),
        renewAtMs: 0,
        note: 'not renewed by the hub: a new one means new seeds (kubedos build-media)',
      },
      {
        kind: 'hub-tls',
        name: 'hub TLS (the gRPC port serves it)',
        node: '',
        notAfterMs: expiry(hubTls.certPem),
        renewAtMs: hubTls.renewAtMs,
        note: 'the hub issues itself the next from its TLS CA; nodes need nothing new',
      },
    );
  for (const ca of ['etcd-ca', 'kubernetes-ca']) {
    const f = CertificateAuthority.files(pkiDir, ca).cert;
    if (!fs.existsSync(f)) continue;
    out.push({
      kind: 'ca',
      name: ca,
      node: '',
      notAfterMs: expiry(fs.readFileSync(f, 'utf8')),
      renewAtMs: 0,
      note: 'not renewed by the hub',
    });
  }
  for (const c of currentCertificates(db))
    out.push({
      kind: 'leaf',
      name: c.profile,
      node: c.node,
      notAfterMs: c.notAfter,
      renewAtMs: c.renewAt,
      note: 'the node renews it in a convergence the hub starts',
    });
  // The token in the cluster: from kubeadm init, or from the anchor's `kubeadm token create` after a rotation.
  const put = db
    .prepare(
      `SELECT MAX(finished_at) AS at FROM converge_task WHERE name IN ('kubeadm-init', 'join-token') AND state = 'done'
         AND changed = 1 AND status != 'TASK_STATUS_SKIPPED'`,
    )
    .get() as { at: number | null } | undefined;
  const made = new SecretStore(db).createdAt(JOIN_TOKEN_SECRET);
  if (put?.at && made !== undefined)
    out.push({
      kind: 'bootstrap-token',
      name: 'kubeadm join token',
      node: '',
      notAfterMs: put.at + JOIN_TOKEN_TTL_MS,
      renewAtMs: made + JOIN_TOKEN_MAX_AGE_MS,
      note: 'made anew by the first convergence after it is 12 h old; the anchor puts it in the cluster for 24 h',
    });
  return out.sort((a, b) => Number(a.notAfterMs) - Number(b.notAfterMs));
}
