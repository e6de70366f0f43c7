import { file, service } from '../../../shared/tasks/builders.ts';
import type { TopologyNode } from '../../../shared/topology/model.ts';
import { CHRONY_SERVER_CONF, CHRONY_SOURCES, renderChronyServer, renderChronySources } from '../render/chrony.ts';
import type { RoleContext } from './context.ts';

/** chronyd sets the clock, which a container shares with its host (and lacks CAP_SYS_TIME for): it is the host's. */
const THE_HOSTS_CLOCK = "chronyd sets the clock, and a container's clock is its host's";

/** chrony: the master serves time on wg1; every other node takes it from there. */
export function timeSource(ctx: RoleContext, node: TopologyNode): string {
  const master = node.role === 'master';
  const conf = master ? CHRONY_SERVER_CONF : CHRONY_SOURCES;
  return ctx.plan.add(node.hostname, 'time-source', 'preflight', [
    file('config', conf, master ? renderChronyServer(ctx.t) : renderChronySources(ctx.t)),
    {
      ...service('service', 'chrony', { restartOnChange: [conf] }),
      unavailableInContainer: THE_HOSTS_CLOCK,
    },
  ]);
}
