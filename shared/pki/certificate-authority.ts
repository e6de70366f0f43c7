import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic-write.ts';
import { newP256Keys, P256, privateKeyPem, randomSerial, webcrypto, x509 } from './x509.ts';

/**
 * A certificate authority the hub keeps: its key is made here and kept in the
 * hub's state dir (0600, in a 0700 directory). The etcd CA's key is never put
 * in a task; only the certificates it signs leave the hub. The deployer makes
 * one too: the hub's TLS CA, which every node pins (shared/pki/hub-tls.ts).
 */
export interface CertPair {
  certPem: string;
  keyPem: string;
}

/** server: serverAuth and clientAuth (etcd's servers dial too); server-only: serverAuth alone. */
export type CertUsage = 'server' | 'server-only' | 'client' | 'peer';

export interface IssueRequest {
  commonName: string;
  organization?: string;
  dns?: string[];
  ips?: string[];
  usage: CertUsage;
}

const DAY_MS = 86_400_000;
/** What a leaf certificate is valid for unless the topology says otherwise (`certificates.leafLifetime`). */
export const LEAF_LIFETIME_MS = 365 * DAY_MS;

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0]!;
  return (await webcrypto.subtle.importKey('pkcs8', der, P256, false, ['sign'])) as unknown as CryptoKey;
}

/** CAs being loaded or made in this process, by certificate path. */
const making = new Map<string, Promise<CertificateAuthority>>();

export class CertificateAuthority {
  readonly certPem: string;
  private readonly cert: x509.X509Certificate;
  private readonly key: CryptoKey;

  private constructor(certPem: string, key: CryptoKey) {
    this.certPem = certPem;
    this.cert = new x509.X509Certificate(certPem);
    this.key = key;
  }

  static files(dir: string, name: string): { cert: string; key: string } {
    return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  }

  /**
   * Loads the CA from dir, or makes it. The certificate is written last, so
   * a crash in between leaves no certificate and the next start makes both
   * again; nothing was signed by the lost key.
   */
  static ensure(dir: string, name: string, deployment: string, validDays = 3650): Promise<CertificateAuthority> {
    // Two callers at once (a kubeconfig and a plan) share one making: two would leave one's key beside the other's cert.
    const f = CertificateAuthority.files(dir, name);
    const inFlight = making.get(f.cert);
    if (inFlight) return inFlight;
    const made = CertificateAuthority.loadOrMake(dir, name, deployment, validDays).finally(() => making.delete(f.cert));
    making.set(f.cert, made);
    return made;
  }

  /** A CA from its certificate and key as given: a CA others pin is never made anew in its place. */
  static async fromPem(certPem: string, keyPem: string): Promise<CertificateAuthority> {
    return new CertificateAuthority(certPem, await importKey(keyPem));
  }

  private static async loadOrMake(
    dir: string,
    name: string,
    deployment: string,
    validDays: number,
  ): Promise<CertificateAuthority> {
    ensurePrivateDir(dir);
    const f = CertificateAuthority.files(dir, name);
    if (fs.existsSync(f.cert) && fs.existsSync(f.key)) {
      const certPem = fs.readFileSync(f.cert, 'utf8');
      return new CertificateAuthority(certPem, await importKey(fs.readFileSync(f.key, 'utf8')));
    }
    const keys = await newP256Keys();
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `CN=${name}, O=kubedos ${deployment}`,
      notBefore: new Date(now - 5 * 60_000),
      notAfter: new Date(now + validDays * DAY_MS),
      keys,
      signingAlgorithm: P256,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    writeFileAtomic(f.key, await privateKeyPem(keys.privateKey), 0o600);
    const certPem = cert.toString('pem');
    writeFileAtomic(f.cert, certPem, 0o644);
    return new CertificateAuthority(certPem, keys.privateKey);
  }

  async issue(req: IssueRequest, lifetimeMs = LEAF_LIFETIME_MS): Promise<CertPair> {
    const keys = await newP256Keys();
    const certPem = await this.issueFor(keys.publicKey, req, lifetimeMs);
    return { certPem, keyPem: await privateKeyPem(keys.privateKey) };
  }

  /** A certificate for a public key made elsewhere (a node's, from its certificate request). */
  async issueFor(publicKey: CryptoKey, req: IssueRequest, lifetimeMs = LEAF_LIFETIME_MS): Promise<string> {
    const now = Date.now();
    // Valid a little before now, for clocks behind the hub's: 5 minutes, or a tenth of a short lifetime.
    const backdate = Math.min(5 * 60_000, Math.floor(lifetimeMs / 10));
    const eku =
      req.usage === 'client'
        ? [x509.ExtendedKeyUsage.clientAuth]
        : req.usage === 'server-only'
          ? [x509.ExtendedKeyUsage.serverAuth]
          : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
    const sans = [
      ...(req.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(req.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    const subject = `CN=${req.commonName}${req.organization ? `, O=${req.organization}` : ''}`;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject,
      issuer: this.cert.subject,
      notBefore: new Date(now - backdate),
      notAfter: new Date(now + lifetimeMs),
      publicKey,
      signingKey: this.key,
      signingAlgorithm: P256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(eku),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
        ...(sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
      ],
    });
    return cert.toString('pem');
  }
}

/** kubeadm's discovery pin: sha256 over the CA certificate's SubjectPublicKeyInfo. */
export function caCertHash(certPem: string): string {
  const spki = new x509.X509Certificate(certPem).publicKey.rawData;
  return `sha256:${createHash('sha256').update(Buffer.from(spki)).digest('hex')}`;
}
