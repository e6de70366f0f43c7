import fs from 'node:fs';
import type { CertificateState__Output } from '../../proto/gen/kubedos/v1/CertificateState.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { renewalTime } from '../../shared/pki/renewal.ts';
import type { x509 as X509 } from '../../shared/pki/x509.ts';
import { markChanged } from './change-markers.ts';
import { applyOwnership, wantedOwnership } from './ownership.ts';
import { underRoot } from './paths.ts';
import { changed, StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/**
 * X.509 (with its ASN.1 schemas, some 8 MiB of a minion's memory) is loaded
 * the first time a node has a certificate to keep: most roles never do.
 */
const pki = () => import('../../shared/pki/x509.ts');

async function loadKey(pem: string): Promise<CryptoKeyPair> {
  const { P256: ALGORITHM, webcrypto, x509 } = await pki();
  const der = x509.PemConverter.decode(pem)[0]!;
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
  // The public half, from the private key's JWK (x and y are in it).
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const publicKey = await webcrypto.subtle.importKey(
    'jwk',
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    ALGORITHM,
    true,
    ['verify'],
  );
  return { privateKey, publicKey } as CryptoKeyPair;
}

async function spki(key: CryptoKey): Promise<Buffer> {
  const { webcrypto } = await pki();
  return Buffer.from(await webcrypto.subtle.exportKey('spki', key));
}

/** Why the certificate on disk will not do, or undefined when it will. */
async function whyRenew(
  certFile: string,
  keys: CryptoKeyPair,
  s: CertificateState__Output,
): Promise<string | undefined> {
  const { x509 } = await pki();
  const caPem = s.caPem;
  if (!fs.existsSync(certFile)) return 'no certificate yet';
  let cert: X509.X509Certificate;
  try {
    cert = new x509.X509Certificate(fs.readFileSync(certFile, 'utf8'));
  } catch {
    return 'the certificate on disk does not parse';
  }
  if (!Buffer.from(cert.publicKey.rawData).equals(await spki(keys.publicKey))) return 'it is for another key';
  const ca = new x509.X509Certificate(caPem);
  if (cert.issuer !== ca.subject || !(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true })))
    return 'it is not from the current CA';
  if (Date.now() >= renewalTime(cert.notBefore.getTime(), cert.notAfter.getTime()))
    return `it expires ${cert.notAfter.toISOString()}`;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = (type: string) =>
    (san?.names.items ?? [])
      .filter((n) => n.type === type)
      .map((n) => n.value)
      .sort();
  const same = (a: string[], b: readonly string[]) => a.join() === [...b].sort().join();
  if (!same(names('dns'), s.dns) || !same(names('ip'), s.ips)) return 'its names are not the ones wanted';
  return undefined;
}

/**
 * A key made where it is used: generated on this node the first time (0600,
 * owned as asked) and never sent anywhere; the hub gets a certificate
 * request for it and answers with the certificate. A rerun with a good
 * certificate for this key from this CA changes nothing.
 */
export async function certificateState(s: CertificateState__Output, ctx: StateContext): Promise<StateOutcome> {
  const { newP256Keys, P256: ALGORITHM, privateKeyPem, x509 } = await pki();
  const keyFile = underRoot(ctx.root, s.keyFile);
  const certFile = underRoot(ctx.root, s.certFile);
  const want = await wantedOwnership(ctx, s.owner, s.group);
  const parts: string[] = [];
  let keys: CryptoKeyPair;
  if (fs.existsSync(keyFile)) keys = await loadKey(fs.readFileSync(keyFile, 'utf8'));
  else {
    if (ctx.dryRun) return changed(`would make a key at ${s.keyFile} and ask the hub for a ${s.profile} certificate`);
    keys = await newP256Keys();
    const pem = await privateKeyPem(keys.privateKey);
    ctx.secrets.add(pem.trim());
    markChanged(ctx.root, s.keyFile);
    writeFileAtomic(keyFile, pem, 0o600);
    parts.push(`made a new key at ${s.keyFile}`);
  }
  applyOwnership(keyFile, fs.statSync(keyFile), want);
  const why = await whyRenew(certFile, keys, s);
  if (!why) return parts.length ? changed(parts.join('; ')) : unchanged(`${s.certFile} is good`);
  if (ctx.dryRun) return changed(`would ask the hub for a ${s.profile} certificate (${why})`);
  if (!ctx.requestCertificate) {
    // A sim harness with no hub to ask: recorded, as probes are; a real minion always has its session.
    if (ctx.host.simulatesProbes) {
      await ctx.host.run(['#certificate', s.profile, s.certFile]);
      return unchanged(`${s.profile} certificate (recorded; no hub in this harness)`);
    }
    throw new StateError('this minion has no session to ask the hub for a certificate');
  }
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${s.profile}`,
    keys,
    signingAlgorithm: ALGORITHM,
  });
  const certPem = await ctx.requestCertificate(s.profile, csr.toString('pem'));
  if (!Buffer.from(new x509.X509Certificate(certPem).publicKey.rawData).equals(await spki(keys.publicKey)))
    throw new StateError('the hub answered with a certificate for another key', false);
  markChanged(ctx.root, s.certFile);
  writeFileAtomic(certFile, certPem, 0o644);
  parts.push(`${s.profile} certificate at ${s.certFile} (${why})`);
  return changed(parts.join('; '));
}
