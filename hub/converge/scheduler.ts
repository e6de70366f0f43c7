import { behindFor, type ContractNeed } from '../../shared/proto/state-contracts.ts';
import type { TaskRow } from './task-row.ts';

/**
 * The convergence scheduler's decisions, as pure functions: task states,
 * an event and the time come in; what to do comes out. Nothing here reads
 * a clock, a database or a socket (the engine, the dispatcher, does that
 * and records the outcome), so tests advance time by passing it, as etcd's
 * raft and Talos's controllers keep their cores.
 */

export interface RunGraph {
  deps: Map<string, string[]>;
  dependents: Map<string, string[]>;
  /** Every task, in plan order. */
  order: string[];
}

export function runGraph(rows: ReadonlyArray<{ task_id: string; deps: string }>): RunGraph {
  const deps = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  for (const r of rows) {
    const d = JSON.parse(r.deps) as string[];
    deps.set(r.task_id, d);
    for (const x of d) (dependents.get(x) ?? dependents.set(x, []).get(x)!).push(r.task_id);
  }
  return { deps, dependents, order: rows.map((r) => r.task_id) };
}

/** What the scheduler needs to know of a task. */
export interface TaskView {
  state: TaskRow['state'];
  node: string;
  retryAt: number;
  /** The plan says it cannot be done here, with this reason. */
  skip?: string;
  /** The hub does it itself (a secret it makes): no node is involved, whatever `node` says. */
  hub?: boolean;
  /** The contract its node must speak for it (a state kind that came later). */
  needs?: ContractNeed;
}

export type Step =
  | { id: string; action: 'send' }
  /** Done by the hub at once: its own action (a secret), or a skip with its reason. */
  | { id: string; action: 'hub' }
  | { id: string; action: 'skip'; reason: string };

/**
 * How many package installs (apt and dpkg, image imports) may run at once
 * across the fleet, as Ansible's forks or Salt's batch bound a run: for
 * nodes that share one disk (VMs on one Proxmox node's storage, the nspawn
 * lab). `inFlight` is read only when an install could go.
 */
export interface InstallLimit {
  max: number;
  isInstall(id: string): boolean;
  inFlight(): number;
}

/**
 * Which of the candidates go now: a pending task whose dependencies are all
 * done, that is not waiting for a retry, and whose node is connected (a
 * hub task or a skipped one is done at once, which may free its
 * dependents in the same turn). Also when the soonest retry falls due, and
 * which installs wait for a free place under the limit (`deferred`: they
 * are candidates again when an install ends).
 */
export function nextSteps(
  graph: RunGraph,
  candidates: Iterable<string>,
  view: (id: string) => TaskView | undefined,
  now: number,
  connected: (node: string) => boolean,
  installs?: InstallLimit,
  /** The contract each connected node speaks (undefined before its hello); absent: every node speaks the hub's. */
  contractOf?: (node: string) => number | undefined,
): {
  steps: Step[];
  nextRetryAt: number;
  deferred: string[];
  /** Tasks of connected nodes that speak too old a contract: not sent (they would fail), with why (absent: none). */
  held?: Array<{ id: string; node: string; reason: string }>;
} {
  const decided = new Map<string, TaskRow['state']>();
  const stateOf = (id: string) => decided.get(id) ?? view(id)?.state;
  const queue = [...candidates];
  const steps: Step[] = [];
  const deferred: string[] = [];
  const held: Array<{ id: string; node: string; reason: string }> = [];
  let installing: number | undefined;
  let nextRetryAt = Infinity;
  while (queue.length) {
    const id = queue.shift()!;
    const t = view(id);
    if (!t || stateOf(id) !== 'pending') continue;
    if (!(graph.deps.get(id) ?? []).every((d) => stateOf(d) === 'done')) continue;
    if (t.retryAt > now) {
      nextRetryAt = Math.min(nextRetryAt, t.retryAt);
      continue;
    }
    if (t.skip || t.hub) {
      steps.push(t.skip ? { id, action: 'skip', reason: t.skip } : { id, action: 'hub' });
      decided.set(id, 'done');
      queue.push(...(graph.dependents.get(id) ?? []));
    } else if (connected(t.node)) {
      const behind = contractOf ? behindFor(t.node, contractOf(t.node), t.needs) : undefined;
      if (behind) {
        held.push({ id, node: t.node, reason: behind });
        continue;
      }
      if (installs && installs.isInstall(id)) {
        installing ??= installs.inFlight();
        if (installing >= installs.max) {
          if (!deferred.includes(id)) deferred.push(id);
          continue;
        }
        installing++;
      }
      steps.push({ id, action: 'send' });
      decided.set(id, 'dispatched');
    }
  }
  return { steps, nextRetryAt, deferred, ...(held.length ? { held } : {}) };
}

/** A task that installs packages (the darksite's apt, or the images package): the work the install limit bounds. */
export function isInstallTask(states: ReadonlyArray<{ kind?: string }>): boolean {
  return states.some((s) => s.kind === 'packages');
}

export type Transition = { to: 'ignore' } | { to: 'done' } | { to: 'retry'; at: number } | { to: 'failed' };

/**
 * What a node's answer does to its task. A late answer (an earlier
 * attempt, another node, a task already decided) and a progress report
 * change nothing; a failure the node calls retryable goes again after the
 * backoff while the task has retries left.
 */
export function answerTransition(
  task: Pick<TaskRow, 'node' | 'state' | 'attempt' | 'retries'> | undefined,
  answer: { node: string; attempt: number; status: string; retryable: boolean },
  now: number,
  backoff: (attempt: number) => number,
): Transition {
  if (!task || task.node !== answer.node || task.state !== 'dispatched' || task.attempt !== answer.attempt)
    return { to: 'ignore' };
  if (answer.status === 'TASK_STATUS_RUNNING') return { to: 'ignore' };
  if (answer.status !== 'TASK_STATUS_FAILED' && answer.status !== 'TASK_STATUS_CANCELLED') return { to: 'done' };
  if (answer.retryable && task.attempt <= task.retries) return { to: 'retry', at: now + backoff(task.attempt) };
  return { to: 'failed' };
}

/** Everything downstream of a task: what its failure blocks. */
export function downstream(graph: RunGraph, id: string): string[] {
  const seen = new Set<string>();
  const queue = [...(graph.dependents.get(id) ?? [])];
  while (queue.length) {
    const x = queue.shift()!;
    if (seen.has(x)) continue;
    seen.add(x);
    queue.push(...(graph.dependents.get(x) ?? []));
  }
  return [...seen];
}

/** The blocked tasks a rerun of these frees too: blocked, downstream of one being reset. */
export function rerunSet(
  rows: ReadonlyArray<Pick<TaskRow, 'task_id' | 'state' | 'deps'>>,
  picked: Iterable<string>,
): Set<string> {
  const reset = new Set(picked);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of rows) {
      if (
        !reset.has(t.task_id) &&
        t.state === 'blocked' &&
        (JSON.parse(t.deps) as string[]).some((d) => reset.has(d))
      ) {
        reset.add(t.task_id);
        grew = true;
      }
    }
  }
  return reset;
}
