import type { Topology } from '../../shared/topology/model.ts';

/** What `kubedos up` gives every substrate; each adds only what is its own. */
export interface LocalUpOptions {
  topology: Topology;
  topologyFile: string;
  runRoot: string;
  /** How long to wait for every node to connect. */
  timeoutMs: number;
  windowTtlMs: number;
  signal: AbortSignal;
  quiet?: boolean;
  /** Run convergence once every node is connected (default true). */
  converge?: boolean;
}
