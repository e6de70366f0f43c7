import type * as grpc from '@grpc/grpc-js';
import { AUTH_HEADERS, MAX_CLOCK_SKEW_MS, callAuthMessage } from '../../shared/auth/call-signature.ts';
import { verify } from '../../shared/keys/ed25519.ts';
import { REFUSAL_UNKNOWN_KEY } from '../../shared/proto/contract-version.ts';

export interface VerifiedCall {
  node: string;
  nonce: Buffer;
  timestampMs: number;
}

/** Why a call was refused; the text goes back to the caller, so it names no key material. */
export class CallRefused extends Error {
  /** The typed refusal the node acts on, sent as trailing metadata (with `metadata`'s other keys). */
  readonly kind: string | undefined;
  readonly metadata: grpc.Metadata | undefined;
  constructor(message: string, kind?: string, metadata?: grpc.Metadata) {
    super(message);
    this.kind = kind;
    this.metadata = metadata;
  }
}

/**
 * Checks a call's signature against the node's current identity key. The
 * nonce is returned for the caller to record as used (in the same durable
 * write that admits the call), which is what makes a replay fail.
 */
export function verifyCall(
  metadata: grpc.Metadata,
  method: string,
  identityKeyOf: (node: string) => Uint8Array | undefined,
  now: number,
): VerifiedCall {
  const get = (k: string) => {
    const v = metadata.get(k)[0];
    return typeof v === 'string' ? v : undefined;
  };
  const node = get(AUTH_HEADERS.node);
  const ts = get(AUTH_HEADERS.timestamp);
  const nonce = get(AUTH_HEADERS.nonce);
  const signature = get(AUTH_HEADERS.signature);
  if (!node || !ts || !nonce || !signature) throw new CallRefused('missing node authentication; enroll first');
  const timestampMs = Number(ts);
  if (!Number.isSafeInteger(timestampMs) || Math.abs(now - timestampMs) > MAX_CLOCK_SKEW_MS) {
    throw new CallRefused('call timestamp outside the allowed clock skew; check the node clock');
  }
  const key = identityKeyOf(node);
  // Either way the hub does not know the key this call was signed with; whether it once did (a replaced node)
  // is for the caller to prove or not (replaced-keys.ts).
  if (!key) throw new CallRefused(`this hub does not know node ${node}'s keys`, REFUSAL_UNKNOWN_KEY);
  const nonceBytes = Buffer.from(nonce, 'base64');
  const sig = Buffer.from(signature, 'base64');
  if (nonceBytes.length !== 16 || !verify(key, callAuthMessage(method, node, timestampMs, nonce), sig)) {
    throw new CallRefused(`invalid signature for node ${node}`, REFUSAL_UNKNOWN_KEY);
  }
  return { node, nonce: nonceBytes, timestampMs };
}
