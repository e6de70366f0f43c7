import type { Topology } from '../../shared/topology/model.ts';
import type { DeployStage } from './pipeline.ts';

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
  /** The last stage to go through (`--stage`); default the substrate's last. */
  until?: DeployStage;
  /** false: stop once every node is connected (`--no-converge`, the same as until 'enroll'). */
  converge?: boolean;
}

/** How a local substrate says what it does: on stderr, as "kubedos: …", unless quiet (--json keeps stdout for JSON). */
export function sayFor(opts: { quiet?: boolean }): (line: string) => void {
  return (line) => {
    if (!opts.quiet) process.stderr.write(`kubedos: ${line}\n`);
  };
}
