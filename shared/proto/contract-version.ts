import * as grpc from '@grpc/grpc-js';

/**
 * The contract's capability version: the hub and the minion each send
 * theirs (EnrollPayload, Hello, Welcome) and use what both understand. Its
 * dated history is at the top of proto/kubedos/v1/hub.proto.
 */
export const CONTRACT_VERSION = 5;

/** Trailing metadata key of a refused session: what the refusal means, typed, not in its words. */
export const REFUSAL_KEY = 'kubedos-refusal';

/**
 * The node's keys were revoked (it was replaced): it must discard them and
 * enroll again. Since contract 4 it carries the hub's proof
 * (shared/auth/replacement-proof.ts), without which a minion keeps its keys.
 */
export const REFUSAL_NOT_ENROLLED = 'not-enrolled';

/**
 * The hub does not know the key the node signed with: its state may have
 * been lost or restored from an older backup. The node keeps its keys and
 * tries again; `hubctl status` shows the knock.
 */
export const REFUSAL_UNKNOWN_KEY = 'unknown-key';

export function refusalMetadata(kind: string, extra: Record<string, string> = {}): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(REFUSAL_KEY, kind);
  for (const [k, v] of Object.entries(extra)) md.set(k, v);
  return md;
}

/** The typed refusal a failed call carries, if any. */
export function refusalOf(err: { metadata?: grpc.Metadata }): string | undefined {
  const v = err.metadata?.get(REFUSAL_KEY)[0];
  return v === undefined ? undefined : String(v);
}
