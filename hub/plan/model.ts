import type { State } from '../../proto/gen/kubedos/v1/State.ts';

/** The phases hubctl status reports; a task's phase is for people, the graph alone orders work. */
export const PHASES = [
  'preflight',
  'runtime',
  'etcd',
  'load-balancers',
  'control-plane',
  'workers',
  'platform-services',
] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Where the plan files the tasks the hub runs itself (they make secrets; no
 * minion is involved): their ids read "hub/<name>". Only a name: what makes a
 * task the hub's is its `hubAction`, so a node named "hub" is a node like any other.
 */
export const HUB_NODE = 'hub';

export interface HubAction {
  kind: 'generate-secret';
  secret: string;
  format: 'bootstrap-token' | 'hex32' | 'base64-32';
  /** Made again when older than this (the join token, before kubeadm's TTL runs out). */
  maxAgeMs?: number;
}

export interface PlannedTask {
  /** "<node>/<name>", unique in the plan. */
  id: string;
  node: string;
  name: string;
  phase: Phase;
  deps: string[];
  states: State[];
  timeoutMs: number;
  /** Further attempts after a retryable failure. */
  retries: number;
  hubAction?: HubAction;
  /** Not run, for this reason (a package the darksite does not carry, or a task it depends on was skipped). */
  skip?: string;
}

export interface Plan {
  deployment: string;
  tasks: PlannedTask[];
  /** Values behind the plan's `${secret:NAME}` references that the hub holds already (private keys). */
  secrets?: Record<string, string>;
}

export function taskId(node: string, name: string): string {
  return `${node}/${name}`;
}
