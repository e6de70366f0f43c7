import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';

/** Where one node is on its way up, in the order it gets there. */
export const NODE_PHASES = ['starting', 'enrolling', 'connected', 'converging', 'converged'] as const;
export type NodePhase = (typeof NODE_PHASES)[number] | 'lost' | 'failed';

export interface NodeLine {
  node: string;
  phase: NodePhase;
  /** How far along NODE_PHASES (failed and lost keep the step they reached). */
  step: number;
  /** e.g. "12/20 tasks", or the failed task's name. */
  detail: string;
}

/**
 * Each node's phase from the hub's status: the hub has not heard of it
 * (starting), it enrolled but has no session yet (enrolling), its session is
 * up (connected), then, once the run `runId` is the hub's, its own tasks
 * (converging, converged, failed). Nothing here is a guess from time.
 */
export function nodeLines(status: StatusResponse__Output, runId?: number): NodeLine[] {
  const run = runId !== undefined && status.convergence?.runId === runId ? status.convergence : undefined;
  const progress = new Map((run?.nodes ?? []).map((p) => [p.node, p]));
  return status.nodes.map((n) => {
    if (n.state === 'lost') return { node: n.name, phase: 'lost', step: 2, detail: 'session lost' };
    if (n.state !== 'connected') {
      const phase = n.state === 'enrolled' ? 'enrolling' : 'starting';
      return { node: n.name, phase, step: NODE_PHASES.indexOf(phase), detail: '' };
    }
    if (!run) return { node: n.name, phase: 'connected', step: 2, detail: '' };
    const p = progress.get(n.name);
    if (p?.failed.length) return { node: n.name, phase: 'failed', step: 3, detail: p.failed.join(', ') };
    const tasks = p ? `${p.done}/${p.total} tasks` : 'no tasks';
    if (p && p.done < p.total) {
      // A run that ended with this node unfinished: its tasks were blocked by a failure elsewhere.
      if (run.state !== 'running') return { node: n.name, phase: 'failed', step: 3, detail: `${tasks}, blocked` };
      return { node: n.name, phase: 'converging', step: 3, detail: tasks };
    }
    return { node: n.name, phase: 'converged', step: 4, detail: tasks };
  });
}
