import type { State } from '../../proto/gen/kubedos/v1/State.ts';
import { secretRef } from '../../shared/tasks/redact.ts';
import { taskId, type Phase, type PlannedTask, type HubAction } from './model.ts';

export interface TaskOptions {
  deps?: string[];
  timeoutMs?: number;
  retries?: number;
  hubAction?: HubAction;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Collects tasks and refuses a duplicate id or a dependency on a task that is not there. */
export class PlanBuilder {
  readonly tasks: PlannedTask[] = [];
  /** Secret values the plan refers to (private keys); the engine keeps them in its secret store, never in a spec. */
  readonly secrets: Record<string, string> = {};
  private readonly ids = new Set<string>();

  /** A reference to a secret value, for a state's content: the spec stores `${secret:NAME}`, never the value. */
  secret(name: string, value: string): string {
    if (this.secrets[name] !== undefined && this.secrets[name] !== value) throw new Error(`secret ${name} given twice`);
    this.secrets[name] = value;
    return secretRef(name);
  }

  add(node: string, name: string, phase: Phase, states: State[], opts: TaskOptions = {}): string {
    const id = taskId(node, name);
    if (this.ids.has(id)) throw new Error(`duplicate task ${id}`);
    this.ids.add(id);
    this.tasks.push({
      id,
      node,
      name,
      phase,
      deps: [...new Set(opts.deps ?? [])],
      states,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: opts.retries ?? 2,
      ...(opts.hubAction ? { hubAction: opts.hubAction } : {}),
    });
    return id;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Checks every dependency exists and the graph has no cycle. */
  validate(): void {
    for (const t of this.tasks)
      for (const d of t.deps) if (!this.ids.has(d)) throw new Error(`${t.id} depends on unknown task ${d}`);
    topologicalOrder(this.tasks);
  }

  /**
   * Marks skipped every task that installs a package the darksite does not
   * carry, then everything downstream of a skipped task: what cannot be
   * installed is never tried, and what needs it never fails for want of it.
   */
  skipUnavailable(available: Readonly<Record<string, readonly string[]>> | undefined): void {
    if (available) this.skipMissingPackages(available);
    const byId = new Map(this.tasks.map((t) => [t.id, t]));
    for (const t of topologicalOrder(this.tasks)) {
      const after = t.deps.find((d) => byId.get(d)!.skip);
      if (!t.skip && after) t.skip = `${after} was skipped`;
    }
  }

  /** Marks one task skipped with its reason (what depends on it is skipped by skipUnavailable). */
  skip(id: string, reason: string): void {
    const t = this.tasks.find((x) => x.id === id);
    if (!t) throw new Error(`no task ${id} to skip`);
    t.skip ??= reason;
  }

  private skipMissingPackages(available: Readonly<Record<string, readonly string[]>>): void {
    for (const t of this.tasks) {
      const wanted = t.states.flatMap((s) => s.packages?.packages ?? []);
      // Not there at all, or not at the version the task names (then the darksite's versions are said too).
      const absent = wanted.filter((p) => !Object.hasOwn(available, p.name ?? ''));
      const otherVersion = wanted.filter(
        (p) => Object.hasOwn(available, p.name ?? '') && p.version && !available[p.name!]!.includes(p.version),
      );
      if (absent.length === 0 && otherVersion.length === 0) continue;
      const missing = [...absent.map((p) => p.name), ...otherVersion.map((p) => `${p.name} ${p.version}`)];
      const has = otherVersion.map((p) => `${p.name} ${available[p.name!]!.join(' or ')}`);
      t.skip =
        `the darksite does not carry ${[...new Set(missing)].join(', ')}` +
        (has.length ? ` (it has ${[...new Set(has)].join(', ')})` : '');
    }
  }
}

/** Kahn's order; ties broken by plan order so the listing is stable. Throws on a cycle. */
export function topologicalOrder(tasks: readonly PlannedTask[]): PlannedTask[] {
  const remaining = new Map(tasks.map((t) => [t.id, new Set(t.deps)]));
  const out: PlannedTask[] = [];
  const byId = new Map(tasks.map((t) => [t.id, t]));
  while (remaining.size) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([id]) => id);
    if (ready.length === 0) throw new Error(`dependency cycle among ${[...remaining.keys()].join(', ')}`);
    for (const id of ready) {
      remaining.delete(id);
      out.push(byId.get(id)!);
      for (const deps of remaining.values()) deps.delete(id);
    }
  }
  return out;
}
