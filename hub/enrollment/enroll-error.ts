import { status } from '@grpc/grpc-js';

/** A refused enrollment: the gRPC status to answer with and a message that tells the node's operator what to do. */
export class EnrollError extends Error {
  readonly code: status;
  constructor(code: status, message: string) {
    super(message);
    this.code = code;
  }
}
