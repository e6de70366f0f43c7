import type * as grpc from '@grpc/grpc-js';
import { AUTH_HEADERS, MAX_CLOCK_SKEW_MS, callAuthMessage } from '../../shared/auth/call-signature.ts';
import { verify } from '../../shared/keys/ed25519.ts';
import { REFUSAL_NOT_ENROLLED } from '../../shared/proto/contract-version.ts';

export interface VerifiedCall {
  node: string;
  nonce: Buffer;
  timestampMs: number;
}

/** Why a call was refused; the text goes back to the caller, so it names no key material. */
export class CallRefused extends Error {
  /** The typed refusal the node acts on (REFUSAL_NOT_ENROLLED: enroll again), sent as trailing metadata. */
  readonly kind: string | undefined;
  constructor(message: string, kind?: string) {
    super(message);
    this.kind = kind;
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
  if (!key)
    throw new CallRefused(`node ${node} is not enrolled (or was replaced); it must enroll again`, REFUSAL_NOT_ENROLLED);
  const nonceBytes = Buffer.from(nonce, 'base64');
  const sig = Buffer.from(signature, 'base64');
  if (nonceBytes.length !== 16 || !verify(key, callAuthMessage(method, node, timestampMs, nonce), sig)) {
    throw new CallRefused(`invalid signature for node ${node}`);
  }
  return { node, nonce: nonceBytes, timestampMs };
}
