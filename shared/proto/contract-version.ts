import * as grpc from '@grpc/grpc-js';

/**
 * The contract's capability version: the hub and the minion each send
 * theirs (EnrollPayload, Hello, Welcome) and use what both understand. Its
 * dated history is at the top of proto/kubedos/v1/hub.proto.
 */
export const CONTRACT_VERSION = 3;

/** Trailing metadata key of a refused session: what the refusal means, typed, not in its words. */
export const REFUSAL_KEY = 'kubedos-refusal';

/** The node's keys are not (or no longer) enrolled: it must discard them and enroll again. */
export const REFUSAL_NOT_ENROLLED = 'not-enrolled';

export function refusalMetadata(kind: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(REFUSAL_KEY, kind);
  return md;
}

/** The typed refusal a failed call carries, if any. */
export function refusalOf(err: { metadata?: grpc.Metadata }): string | undefined {
  const v = err.metadata?.get(REFUSAL_KEY)[0];
  return v === undefined ? undefined : String(v);
}
