import type { Logger } from '../../shared/log.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { CertificateRefused, type CertificateSigner } from './certificate-signer.ts';

/**
 * Answers the certificate requests nodes send over their sessions: the
 * session already proves which node asks, the signer decides what it may
 * have. Refusals go back as text; nothing secret is in either direction.
 */
export function answerCertificateRequests(registry: SessionRegistry, signer: CertificateSigner, log: Logger): void {
  registry.on('message', (node, message) => {
    const req = message.certificateRequest;
    if (!req) return;
    void signer.sign(node, req.profile, req.csrPem).then(
      (certPem) => {
        log.info('certificate issued', { node, profile: req.profile });
        registry.send(node, { certificate: { requestId: req.requestId, certPem, error: '' } });
      },
      (err: unknown) => {
        const error = err instanceof CertificateRefused ? err.message : `signing failed: ${String(err)}`;
        log.warn('certificate refused', { node, profile: req.profile, error });
        registry.send(node, { certificate: { requestId: req.requestId, certPem: '', error } });
      },
    );
  });
}
