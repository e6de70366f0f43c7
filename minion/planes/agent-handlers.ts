import type { AgentHandlers } from '../agent.ts';
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
    onConfig: (update) => planes.applyPeerUpdate(update),
  };
}
