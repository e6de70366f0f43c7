import type { OutputTail } from '../../shared/tasks/output-tail.ts';
import type { Host } from './host.ts';

/** What one state handler gets: where it acts, how, and where its output goes. */
export interface StateContext {
  host: Host;
  root: string;
  dryRun: boolean;
  /** Sim mode: owners that do not exist under the root are recorded rather than failing. */
  recordCommands: boolean;
  signal: AbortSignal;
  tail: OutputTail;
  /** Values that must never appear in output (contents of secret files). */
  secrets: Set<string>;
  log: (text: string) => void;
  /** Asks the hub to sign a certificate request (over the node's session); undefined where there is no hub. */
  requestCertificate?: (profile: string, csrPem: string) => Promise<string>;
}

/** A state's verdict: changed (or would change, on a dry run), or skipped for a reason, with a one-line summary. */
export interface StateOutcome {
  changed: boolean;
  summary: string;
  skipped?: boolean;
}

/** A state failure. `retryable` says whether trying again could help (a probe, a command) or not (a bad spec). */
export class StateError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable = true) {
    super(message);
    this.name = 'StateError';
    this.retryable = retryable;
  }
}

export const unchanged = (summary: string): StateOutcome => ({ changed: false, summary });
export const changed = (summary: string): StateOutcome => ({ changed: true, summary });
/** Not done, and not a failure: the reason says why it cannot be done here (never a pretended success). */
export const skipped = (summary: string): StateOutcome => ({ changed: false, skipped: true, summary });
