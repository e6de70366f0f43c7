import type { Plan } from '../../hub/plan/model.ts';
import { topologicalOrder } from '../../hub/plan/plan-builder.ts';

/**
 * The longest chain of the graph when every task takes durationOf(task):
 * no scheduler can finish sooner, so it is the yardstick for the engine's
 * own overhead.
 */
export function criticalPath(plan: Plan, durationOf: (id: string) => number): { ms: number; path: string[] } {
  const finish = new Map<string, { at: number; via: string | undefined }>();
  for (const t of topologicalOrder(plan.tasks)) {
    let start = 0;
    let via: string | undefined;
    for (const d of t.deps) {
      const f = finish.get(d)!;
      if (f.at > start) {
        start = f.at;
        via = d;
      }
    }
    finish.set(t.id, { at: start + durationOf(t.id), via });
  }
  let end = [...finish].reduce((a, b) => (b[1].at > a[1].at ? b : a));
  const path = [end[0]];
  while (end[1].via) {
    const via: string = end[1].via;
    path.unshift(via);
    end = [via, finish.get(via)!];
  }
  return { ms: Math.max(...[...finish.values()].map((f) => f.at)), path };
}
