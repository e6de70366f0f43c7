import { status } from '@grpc/grpc-js';

/**
 * A refused enrollment: the gRPC status to answer with and a message that
 * tells the node's operator what to do. `detail`, when given, is the hub's
 * own account (its log and its metrics) where the node is told less: an
 * unknown node, another deployment and a wrong credential get the same
 * answer, so a stranger learns neither the node names nor the deployment's.
 */
export class EnrollError extends Error {
  readonly code: status;
  /** Why, as one of a few values: the refusal metric's label and the log's `reason`. */
  readonly reason: RefusalReason;
  readonly detail: string | undefined;
  constructor(code: status, reason: RefusalReason, message: string, detail?: string) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.detail = detail;
  }
}

/** Every reason an enrollment is refused for, each named where it is refused (never read back from a message). */
export const REFUSAL_REASONS = [
  'no_window',
  'replayed',
  'expired',
  'unknown_node',
  'bad_signature',
  'wrong_machine',
  'already_enrolled',
  'revoked_key',
  'spent_credential',
  'wrong_deployment',
  'malformed',
  'foreign_plane_key',
  'no_address',
  'busy',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** The one answer to a request that carries no credential of this deployment, whatever is wrong with it. */
export const NOT_A_CREDENTIAL = "enrollment refused: this request carries no enrollment credential of this hub's";
