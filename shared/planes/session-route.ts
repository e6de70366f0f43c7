/**
 * Where a minion's session goes, and when it may fall back (docs/planes.md,
 * "Control over the management plane"). Pure: both ends apply the same rule.
 *
 * - Until the hub has sent a session endpoint (its wg1 address), the session
 *   uses the LAN endpoint the node was installed with.
 * - Once it has, the session uses wg1, and the hub's LAN listener serves
 *   that node enrollment only.
 * - wg1 counts as broken when the last handshake with the hub on wg1 is
 *   older than WireGuard's own session lifetime (180 s, REJECT_AFTER_TIME)
 *   and FALLBACK_AFTER_FAILURES session attempts over wg1 failed in a row.
 *   Then the minion says so, re-applies wg1 from its files, and holds its
 *   session over the LAN; the hub accepts it there only while the hub, too,
 *   sees no fresh wg1 handshake from that node. Both sides go back to wg1
 *   as soon as a handshake is fresh again.
 */
export const WG1_STALE_SECONDS = 180;
export const FALLBACK_AFTER_FAILURES = 3;

export interface RouteState {
  lanEndpoint: string;
  /** From the hub's ConfigUpdate; undefined until it arrives. */
  wg1Endpoint: string | undefined;
  consecutiveWg1Failures: number;
  /** Seconds since the last wg1 handshake with the hub; undefined when there never was one. */
  wg1HandshakeAgeSeconds: number | undefined;
}

export interface Route {
  endpoint: string;
  via: 'lan' | 'wg1';
  /** Set when the minion falls back: what it logs, once per change. */
  warning?: string;
}

export function wg1IsStale(ageSeconds: number | undefined): boolean {
  return ageSeconds === undefined || ageSeconds > WG1_STALE_SECONDS;
}

export function chooseSessionRoute(s: RouteState): Route {
  if (!s.wg1Endpoint) return { endpoint: s.lanEndpoint, via: 'lan' };
  if (s.consecutiveWg1Failures >= FALLBACK_AFTER_FAILURES && wg1IsStale(s.wg1HandshakeAgeSeconds)) {
    const age = s.wg1HandshakeAgeSeconds === undefined ? 'never' : `${s.wg1HandshakeAgeSeconds}s ago`;
    return {
      endpoint: s.lanEndpoint,
      via: 'lan',
      warning: `management plane wg1 to the hub is down (last handshake ${age}, ${s.consecutiveWg1Failures} failed sessions); re-applying wg1 and holding the session over the LAN until it recovers`,
    };
  }
  return { endpoint: s.wg1Endpoint, via: 'wg1' };
}

/** The hub's side: a session on the LAN listener from an enrolled node is accepted only while its wg1 is stale. */
export function hubAcceptsLanSession(nodeHasPlanes: boolean, wg1HandshakeAgeSeconds: number | undefined): boolean {
  return !nodeHasPlanes || wg1IsStale(wg1HandshakeAgeSeconds);
}

/** Seconds since a `wg show` handshake timestamp (0 = never). */
export function handshakeAge(latestHandshake: number, nowMs: number): number | undefined {
  return latestHandshake > 0 ? Math.max(0, Math.round(nowMs / 1000 - latestHandshake)) : undefined;
}
