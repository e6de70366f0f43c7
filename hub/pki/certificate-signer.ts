import type { Topology } from '../../shared/topology/model.ts';
import { x509 } from '../../shared/pki/x509.ts';
import { topologyDuration } from '../../shared/topology/duration.ts';
import { CertificateAuthority, LEAF_LIFETIME_MS, type IssueRequest } from '../../shared/pki/certificate-authority.ts';
import { memberSans } from './etcd-pki.ts';

/** A refused certificate request; the text goes back to the node. */
export class CertificateRefused extends Error {}

/**
 * What each node may have signed, and with which names: the hub decides the
 * subject, names and usage from the node's role; a request only proves the
 * node holds the key. A node asking for a profile its role does not have
 * is refused.
 */
export function certificateProfile(t: Topology, node: string, profile: string): IssueRequest {
  const n = t.nodes.find((x) => x.hostname === node);
  if (!n) throw new CertificateRefused(`${node} is not in the topology`);
  // A Map knows only the profiles put in it: on a plain object "constructor" or "__proto__" would pass.
  const allowed = new Map<string, IssueRequest | undefined>([
    ['etcd-server', n.role === 'etcd' ? { commonName: n.hostname, usage: 'server', ...memberSans(t, n) } : undefined],
    ['etcd-peer', n.role === 'etcd' ? { commonName: n.hostname, usage: 'peer', ...memberSans(t, n) } : undefined],
    [
      'etcd-healthcheck-client',
      n.role === 'etcd' ? { commonName: 'kube-etcd-healthcheck-client', usage: 'client' } : undefined,
    ],
    [
      'apiserver-etcd-client',
      n.role === 'cp'
        ? { commonName: 'kube-apiserver-etcd-client', organization: 'system:masters', usage: 'client' }
        : undefined,
    ],
  ]);
  const req = allowed.get(profile);
  if (!req) throw new CertificateRefused(`${node} (${n.role}) may not have a "${profile}" certificate`);
  return req;
}

/** The public key of a certificate request, once its own signature proves the requester holds the key. */
export async function requestedKey(csrPem: string): Promise<CryptoKey> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new CertificateRefused('the certificate request does not parse');
  }
  if (!(await csr.verify())) throw new CertificateRefused('the certificate request is not signed by its own key');
  try {
    return await csr.publicKey.export({ name: 'ECDSA', namedCurve: 'P-256' }, ['verify']);
  } catch {
    throw new CertificateRefused('the certificate request is not for an ECDSA P-256 key');
  }
}

export function leafLifetimeMs(t: Topology): number {
  const v = t.certificates?.leafLifetime;
  return v ? topologyDuration('certificates.leafLifetime', v) : LEAF_LIFETIME_MS;
}

/** Signs nodes' certificate requests with the hub's etcd CA (whose key never leaves the hub). */
export class CertificateSigner {
  private readonly pkiDir: string;
  private readonly topology: () => Topology;
  private ca: Promise<CertificateAuthority> | undefined;

  private readonly onIssued: ((node: string, profile: string, certPem: string) => void) | undefined;

  /** onIssued: told of every certificate signed (the hub records them, to watch their expiry). */
  constructor(opts: {
    pkiDir: string;
    topology: () => Topology;
    onIssued?: (node: string, profile: string, certPem: string) => void;
  }) {
    this.pkiDir = opts.pkiDir;
    this.topology = opts.topology;
    this.onIssued = opts.onIssued;
  }

  async sign(node: string, profile: string, csrPem: string): Promise<string> {
    const t = this.topology();
    const req = certificateProfile(t, node, profile);
    const key = await requestedKey(csrPem);
    this.ca ??= CertificateAuthority.ensure(this.pkiDir, 'etcd-ca', t.name);
    const certPem = await (await this.ca).issueFor(key, req, leafLifetimeMs(t));
    this.onIssued?.(node, profile, certPem);
    return certPem;
  }
}
