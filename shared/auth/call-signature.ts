import crypto from 'node:crypto';
import { sign } from '../keys/ed25519.ts';

/**
 * How an enrolled node authenticates a call: metadata signed with its
 * identity key. The signed text names the method, so a signature for one
 * call cannot be replayed against another, and carries a timestamp and a
 * single-use nonce, so it cannot be replayed at all once the hub has seen it.
 */
export const AUTH_HEADERS = {
  node: 'x-kubedos-node',
  timestamp: 'x-kubedos-ts',
  nonce: 'x-kubedos-nonce',
  signature: 'x-kubedos-sig',
} as const;

/** Requests and call signatures older or newer than this are refused: check the node's clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export function callAuthMessage(method: string, node: string, timestampMs: number, nonce: string): Uint8Array {
  return Buffer.from(`kubedos-auth\n${method}\n${node}\n${timestampMs}\n${nonce}`);
}

export function signCall(seed: Uint8Array, method: string, node: string, now = Date.now()): Record<string, string> {
  const nonce = crypto.randomBytes(16).toString('base64');
  const signature = Buffer.from(sign(seed, callAuthMessage(method, node, now, nonce))).toString('base64');
  return {
    [AUTH_HEADERS.node]: node,
    [AUTH_HEADERS.timestamp]: String(now),
    [AUTH_HEADERS.nonce]: nonce,
    [AUTH_HEADERS.signature]: signature,
  };
}
