import { CertificateAuthority, type CertPair } from './certificate-authority.ts';
import { HUB_TLS_NAME } from './hub-tls-name.ts';

/**
 * The hub's TLS CA, made by the deployer beside the deployment's other
 * secrets (`hub/hub-tls-ca.crt`, `.key`): every node pins its certificate
 * (the seed carries it); only the master gets its key. The hub issues itself
 * short-lived serving certificates from it (issueHubTlsLeaf), so the
 * certificate the hub serves rotates without new seeds.
 */
export const HUB_TLS_CA = 'hub-tls-ca';

/** The CA's file names in a folder (the deployer's `secrets/hub`, the master's hub folder). */
export function hubTlsCaFiles(dir: string): { cert: string; key: string } {
  return CertificateAuthority.files(dir, HUB_TLS_CA);
}

/** The certificate the hub serves lives 30 days; the hub makes the next when 10 are left (hub/pki/hub-tls-identity.ts). */
export const HUB_TLS_LEAF_LIFETIME_MS = 30 * 86_400_000;

/**
 * A serving certificate for the hub's gRPC listener, issued by its TLS CA:
 * not a CA, server authentication only, the fixed name every node expects
 * (HUB_TLS_NAME). Its key is made here, where it is used.
 */
export function issueHubTlsLeaf(ca: CertificateAuthority, lifetimeMs = HUB_TLS_LEAF_LIFETIME_MS): Promise<CertPair> {
  return ca.issue({ commonName: HUB_TLS_NAME, dns: [HUB_TLS_NAME], usage: 'server-only' }, lifetimeMs);
}
