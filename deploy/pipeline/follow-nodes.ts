import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { UserError } from '../../shared/errors.ts';
import { pollUntil } from '../toolkit/poll.ts';
import type { HubControl } from './hub-control.ts';
import { nodeLines } from './node-phases.ts';
import { NodeProgressView } from './node-progress-view.ts';

/**
 * Polls the hub until every node is connected (or, given a run, until that
 * run ends), showing each node's phase. Readiness is what the hub reports,
 * never a sleep.
 */
export async function followNodes(
  hub: HubControl,
  view: NodeProgressView,
  opts: { timeoutMs: number; signal: AbortSignal; runId?: number; pollMs?: number },
): Promise<StatusResponse__Output> {
  let last: StatusResponse__Output | undefined;
  return pollUntil({
    what: opts.runId === undefined ? 'every node connected' : `convergence run ${opts.runId}`,
    probe: async () => {
      const status = (last = await hub.status());
      view.update(nodeLines(status, opts.runId));
      if (opts.runId !== undefined)
        return status.convergence?.runId === opts.runId && status.convergence.state !== 'running' ? status : undefined;
      const s = status.summary!;
      return s.total > 0 && s.connected === s.total ? status : undefined;
    },
    // A hub that stops answering ends the wait with its error, not a timeout.
    probeErrorsEnd: true,
    everyMs: opts.pollMs ?? 300,
    // A convergence run ends by itself (each task has its own deadline); the nodes' connecting has this one.
    withinMs: opts.runId === undefined ? opts.timeoutMs : Infinity,
    signal: opts.signal,
    late: () => {
      const missing = (last?.nodes ?? []).filter((n) => n.state !== 'connected').map((n) => `${n.name} (${n.state})`);
      return new UserError(
        `not every node connected within ${opts.timeoutMs / 1000}s: ${missing.join(', ')}`,
        'see the node logs in the run dir',
      );
    },
  });
}
