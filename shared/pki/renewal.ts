/** The longest a certificate is renewed before it expires. */
export const RENEW_BEFORE_MAX_MS = 30 * 86_400_000;

/**
 * When a certificate is renewed: in its last third, and at most 30 days
 * before it expires. The node renews it then (at the next convergence),
 * and the hub starts that convergence when one is due.
 */
export function renewalTime(notBefore: number, notAfter: number): number {
  return notAfter - Math.min(RENEW_BEFORE_MAX_MS, Math.floor((notAfter - notBefore) / 3));
}
