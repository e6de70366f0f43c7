import * as grpc from '@grpc/grpc-js';
import type { CertificateAuthority, CertPair } from '../../shared/pki/certificate-authority.ts';
import { HUB_TLS_LEAF_LIFETIME_MS, issueHubTlsLeaf } from '../../shared/pki/hub-tls.ts';
import { x509 } from '../../shared/pki/x509.ts';

type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/**
 * The certificate the hub serves on its node port: issued by the hub's TLS
 * CA when the hub starts (its key made here and kept in memory only), and
 * again once a third of its life is left. grpc-js takes each new one for
 * the connections that follow (a certificate provider), so it rotates
 * without a restart and without new seeds: nodes pin the CA.
 */
export class HubTlsIdentity implements grpc.experimental.CertificateProvider {
  readonly #ca: CertificateAuthority;
  readonly #lifetimeMs: number;
  readonly #listeners = new Set<IdentityListener>();
  #current: CertPair;
  #notAfterMs: number;
  #timer: NodeJS.Timeout | undefined;

  private constructor(ca: CertificateAuthority, lifetimeMs: number, first: CertPair) {
    this.#ca = ca;
    this.#lifetimeMs = lifetimeMs;
    this.#current = first;
    this.#notAfterMs = notAfter(first.certPem);
  }

  static async issue(ca: CertificateAuthority, lifetimeMs = HUB_TLS_LEAF_LIFETIME_MS): Promise<HubTlsIdentity> {
    return new HubTlsIdentity(ca, lifetimeMs, await issueHubTlsLeaf(ca, lifetimeMs));
  }

  /** Server credentials that follow this identity. */
  credentials(): grpc.ServerCredentials {
    // grpc-js's factory takes the identity provider first, then the CA one (none: no client certificates).
    return grpc.experimental.createCertificateProviderServerCredentials(this, null, false);
  }

  get certPem(): string {
    return this.#current.certPem;
  }

  /** When the certificate served now is made again. */
  get renewAtMs(): number {
    return this.#notAfterMs - Math.floor(this.#lifetimeMs / 3);
  }

  /** Checks every `everyMs` whether the certificate is due, and renews it; `onRenewed` is told each time. */
  start(onRenewed?: () => void, everyMs = Math.min(3_600_000, Math.floor(this.#lifetimeMs / 30))): void {
    this.#timer = setInterval(() => {
      void this.renewIfDue().then((renewed) => renewed && onRenewed?.());
    }, everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** A new certificate and key when the current one is due (a third of its life left); true when renewed. */
  async renewIfDue(now = Date.now()): Promise<boolean> {
    if (now < this.renewAtMs) return false;
    this.#current = await issueHubTlsLeaf(this.#ca, this.#lifetimeMs);
    this.#notAfterMs = notAfter(this.#current.certPem);
    for (const l of this.#listeners) l(this.#update());
    return true;
  }

  #update(): grpc.experimental.IdentityCertificateUpdate {
    return { certificate: Buffer.from(this.#current.certPem), privateKey: Buffer.from(this.#current.keyPem) };
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#listeners.add(listener);
    // As grpc-js's own file provider does: after the caller has registered its watcher.
    process.nextTick(listener, this.#update());
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#listeners.delete(listener);
  }

  addCaCertificateListener(): void {}
  removeCaCertificateListener(): void {}
}

function notAfter(certPem: string): number {
  return new x509.X509Certificate(certPem).notAfter.getTime();
}
