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
  readonly detail: string | undefined;
  constructor(code: status, message: string, detail?: string) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

/** The one answer to a request that carries no credential of this deployment, whatever is wrong with it. */
export const NOT_A_CREDENTIAL = "enrollment refused: this request carries no enrollment credential of this hub's";
