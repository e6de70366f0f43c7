/**
 * The minion's side of the management-plane rule (shared/planes/session-route.ts):
 * before each session attempt, where to connect. It reads the hub's wg1
 * endpoint from the last ConfigUpdate, the age of the wg1 handshake with the
 * hub from WireGuard itself, and counts failed sessions over wg1. On falling
 * back it logs why, once, and re-applies wg1 from its files; on recovery it
 * says so and goes back to wg1.
 */
import type { Logger } from '../../shared/log.ts';
import { runLocal, type CommandRunner } from '../../shared/planes/command-runner.ts';
import { chooseSessionRoute, handshakeAge, wg1IsStale, type Route } from '../../shared/planes/session-route.ts';
import { parseWgDump } from '../../shared/planes/wg-show.ts';
import type { MinionPlanes } from './minion-planes.ts';
import { loadEnrollment } from '../enrollment-store.ts';

export interface SessionEndpointsOptions {
  /** The hub's LAN endpoint from the minion config (enrollment, and the fallback). */
  lanEndpoint: string;
  stateDir: string;
  planes: MinionPlanes;
  log: Logger;
  run?: CommandRunner;
  now?: () => number;
}

export class SessionEndpoints {
  private readonly opts: SessionEndpointsOptions;
  private readonly run: CommandRunner;
  private failures = 0;
  private last: Route['via'] | undefined;

  constructor(opts: SessionEndpointsOptions) {
    this.opts = opts;
    this.run = opts.run ?? runLocal;
  }

  /** Where the next session attempt goes. */
  async choose(): Promise<Route> {
    const wg1Endpoint = this.wg1Endpoint();
    const route = chooseSessionRoute({
      lanEndpoint: this.opts.lanEndpoint,
      wg1Endpoint,
      consecutiveWg1Failures: this.failures,
      wg1HandshakeAgeSeconds: wg1Endpoint ? await this.wg1HandshakeAge() : undefined,
    });
    if (route.via !== this.last) {
      if (route.warning) {
        this.opts.log.error(route.warning);
        await this.opts.planes
          .reapply('wg1')
          .catch((err: unknown) => this.opts.log.error('re-applying wg1 failed', { error: String(err) }));
      } else if (route.via === 'wg1') {
        this.opts.log.info(
          this.last === 'lan' && wg1Endpoint ? 'session moves to the management plane' : 'session over wg1',
          {
            endpoint: route.endpoint,
          },
        );
      }
      this.last = route.via;
    }
    return route;
  }

  /** After a session ends: whether it got as far as the hub's welcome, and which way it went. */
  sessionEnded(route: Route, welcomed: boolean): void {
    // A LAN session on the fallback says nothing about wg1: the count stands until wg1 works again.
    if (route.via === 'wg1') this.failures = welcomed ? 0 : this.failures + 1;
  }

  /** For a periodic check while on the fallback: true once wg1 has a fresh handshake, so the session should move back. */
  async fallbackOver(): Promise<boolean> {
    if (this.last !== 'lan' || !this.wg1Endpoint()) return false;
    return !wg1IsStale(await this.wg1HandshakeAge());
  }

  /**
   * The hub's wg1 endpoint: as the hub last named it, or else from the
   * enrollment grant (the hub's wg1 address, on the port of the LAN
   * listener), so the very first session can already move to wg1.
   */
  private wg1Endpoint(): string | undefined {
    const named = this.opts.planes.sessionEndpoint();
    if (named) return named;
    const wg1 = loadEnrollment(this.opts.stateDir)?.planes.find((p) => p.plane === 'wg1');
    const port = /:(\d+)$/.exec(this.opts.lanEndpoint)?.[1];
    return wg1 && port ? `${wg1.hubAddress}:${port}` : undefined;
  }

  private async wg1HandshakeAge(): Promise<number | undefined> {
    const r = await this.run(['wg', 'show', 'wg1', 'dump'], { reject: false });
    if (r.exitCode !== 0) return undefined;
    const latest = Math.max(0, ...parseWgDump(r.stdout).peers.map((p) => p.latestHandshake));
    return handshakeAge(latest, (this.opts.now ?? Date.now)());
  }
}
