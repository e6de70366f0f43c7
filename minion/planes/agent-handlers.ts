import type { AgentHandlers } from '../agent.ts';
import { applyFirewall } from './apply-firewall.ts';
import { MinionPlanes, type MinionPlanesOptions } from './minion-planes.ts';

/**
 * The planes' part of the agent: bring the planes up once enrolled (and on
 * every start), and apply each ConfigUpdate the hub pushes. Merge into the
 * handlers given to `new Agent(...)`.
 */
export function planeHandlers(opts: MinionPlanesOptions): Required<Pick<AgentHandlers, 'onEnrolled' | 'onConfig'>> {
  const planes = new MinionPlanes(opts);
  return {
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
