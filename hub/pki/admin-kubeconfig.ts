import { UserError } from '../../shared/errors.ts';
import { x509 } from '../../shared/pki/x509.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { apiEndpoint } from '../plan/render/kubeadm.ts';
import { CertificateRefused, requestedKey } from './certificate-signer.ts';
import { CertificateAuthority } from '../../shared/pki/certificate-authority.ts';

export const KUBECONFIG_TTL_DEFAULT_MS = 24 * 3_600_000;
export const KUBECONFIG_TTL_MAX_MS = 30 * 86_400_000;
/** The group kubeadm (1.29 and later) binds to cluster-admin for admin.conf; not system:masters, which nothing can revoke. */
export const ADMIN_GROUP = 'kubeadm:cluster-admins';

/**
 * An operator's admin credential, signed with the cluster CA the hub keeps:
 * the key was made by hubctl and never comes here; the hub decides the
 * names and the lifetime. Short-lived by default (24 h): a lost laptop's
 * kubeconfig runs out by itself.
 */
export async function issueAdminKubeconfig(
  pkiDir: string,
  t: Topology,
  req: { csrPem: string; ttlMs: number; user: string },
): Promise<{ certPem: string; caPem: string; server: string; cluster: string; notAfterMs: number }> {
  const ttl = req.ttlMs || KUBECONFIG_TTL_DEFAULT_MS;
  if (ttl < 60_000 || ttl > KUBECONFIG_TTL_MAX_MS)
    throw new UserError('a kubeconfig lasts from one minute to 30 days', 'give --ttl such as 8h or 7d');
  if (!/^[a-z0-9][a-z0-9._@-]{0,62}$/i.test(req.user))
    throw new UserError(`"${req.user}" is not a user name (letters, digits, . _ @ -)`);
  let key: CryptoKey;
  try {
    key = await requestedKey(req.csrPem);
  } catch (err) {
    if (err instanceof CertificateRefused) throw new UserError(err.message);
    throw err;
  }
  const authority = await CertificateAuthority.ensure(pkiDir, 'kubernetes-ca', t.name);
  const certPem = await authority.issueFor(
    key,
    { commonName: `kubedos-admin:${req.user}`, organization: ADMIN_GROUP, usage: 'client' },
    ttl,
  );
  return {
    certPem,
    caPem: authority.certPem,
    server: `https://${apiEndpoint(t)}`,
    cluster: t.name,
    notAfterMs: new x509.X509Certificate(certPem).notAfter.getTime(),
  };
}
