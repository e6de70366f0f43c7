import { createHash } from 'node:crypto';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';

/**
 * A short digest of what a deploy's progress shows of a status: each node's
 * state, and the latest run's state with each node's task counts. Two
 * statuses with the same key look the same to someone waiting.
 */
export function statusKey(s: StatusResponse__Output): string {
  const run = s.convergence;
  const shown = {
    nodes: s.nodes.map((n) => [n.name, n.state]),
    run: run ? [run.runId, run.state, run.nodes.map((p) => [p.node, p.done, p.total, p.failed.length])] : null,
  };
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex').slice(0, 16);
}
