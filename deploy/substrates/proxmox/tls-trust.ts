import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { UserError } from '../../../shared/errors.ts';

/**
 * How the deployer trusts the Proxmox API's certificate. Proxmox signs its
 * API certificate with the cluster's own CA (pve-root-ca.pem), so an
 * operator gives either that CA or the certificate's SHA-256 fingerprint, as
 * the Proxmox UI shows it under the node's Certificates. Without either, the
 * system's CAs must trust it (an ACME certificate).
 */
export type ApiTrust = { fingerprint: string } | { caPem: string } | { system: true };

export function trustFrom(opts: { fingerprint?: string | undefined; caFile?: string | undefined }): ApiTrust {
  if (opts.fingerprint) return { fingerprint: normalizeFingerprint(opts.fingerprint) };
  if (opts.caFile) {
    try {
      return { caPem: fs.readFileSync(opts.caFile, 'utf8') };
    } catch (err) {
      throw new UserError(
        `the Proxmox CA file ${opts.caFile} is not readable: ${(err as NodeJS.ErrnoException).code}`,
        "copy the cluster's /etc/pve/pve-root-ca.pem, or give proxmox.fingerprint instead",
      );
    }
  }
  return { system: true };
}

export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length !== 64)
    throw new UserError(
      `proxmox fingerprint ${fp} is not a SHA-256 fingerprint (32 bytes, AB:CD:…)`,
      'copy it from the Proxmox UI: the node, System, Certificates, pveproxy-ssl.pem, Fingerprint',
    );
  return hex.match(/../g)!.join(':');
}

/**
 * A TLS connection to the API whose certificate was checked before a byte
 * of the request (the token is in its headers) is written: against the
 * pinned fingerprint, the given CA, or the system's CAs.
 */
export function connectTrusted(host: string, port: number, trust: ApiTrust, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const pinned = 'fingerprint' in trust;
    const socket = tls.connect({
      host,
      port,
      ...(net.isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: !pinned,
      ...('caPem' in trust ? { ca: trust.caPem } : {}),
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UserError(`the Proxmox API at ${host}:${port} did not answer within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      if (pinned) {
        const seen = socket.getPeerCertificate().fingerprint256 ?? '';
        if (seen.toUpperCase() !== trust.fingerprint) {
          socket.destroy();
          reject(
            new UserError(
              `the Proxmox API at ${host}:${port} presented certificate ${seen}, not the pinned ${trust.fingerprint}`,
              'check proxmox.fingerprint against the node (pvenode cert info); nothing was sent',
            ),
          );
          return;
        }
      }
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
        err.code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
        err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
          ? 'its certificate is not trusted: set proxmox.fingerprint or proxmox.caFile'
          : err.message;
      reject(new UserError(`cannot reach the Proxmox API at ${host}:${port}: ${why}`));
    });
  });
}
