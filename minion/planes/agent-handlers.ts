import type { AgentHandlers } from '../agent.ts';
import { applyFirewall } from './apply-firewall.ts';
import { MinionPlanes, type MinionPlanesOptions } from './minion-planes.ts';
import { SessionEndpoints } from './session-endpoints.ts';
import type { Logger } from '../../shared/log.ts';

/**
 * The planes' part of the agent: bring the planes up once enrolled (and on
 * every start), apply each ConfigUpdate the hub pushes (peers, then the
 * firewall), and hold the session over wg1 once the hub has named its wg1
 * endpoint, falling back to the LAN by the rule in shared/planes/session-route.ts.
 */
export function planeHandlers(
  opts: MinionPlanesOptions & { lanEndpoint: string; log: Logger },
): Required<Pick<AgentHandlers, 'onEnrolled' | 'onConfig' | 'sessionRoute' | 'sessionEnded' | 'shouldLeaveLan'>> {
  const planes = new MinionPlanes(opts);
  const endpoints = new SessionEndpoints({
    lanEndpoint: opts.lanEndpoint,
    stateDir: opts.stateDir,
    planes,
    log: opts.log,
    ...(opts.run ? { run: opts.run } : {}),
  });
  return {
    sessionRoute: () => endpoints.choose(),
    sessionEnded: (route, welcomed) => endpoints.sessionEnded(route, welcomed),
    shouldLeaveLan: () => endpoints.fallbackOver(),
    onEnrolled: (enrollment) => planes.applyEnrollment(enrollment),
    onConfig: async (update) => {
      await planes.applyPeerUpdate(update);
      // Peers first: the ruleset admits WireGuard and plane traffic, so the planes never wait on it.
      if (update.firewallRuleset) {
        await applyFirewall({
          root: opts.root,
          ruleset: update.firewallRuleset,
          ...(opts.run ? { run: opts.run } : {}),
          persist: opts.mode === 'wg-quick',
        });
      }
    },
  };
}
