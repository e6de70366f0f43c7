import { status, type ServiceError } from '@grpc/grpc-js';
import type { DatabaseSync } from 'node:sqlite';
import type { AgentHandlers } from '../../proto/gen/kubedos/v1/Agent.ts';
import type { Logger } from '../../shared/log.ts';
import { AUTH_HEADERS, MAX_CLOCK_SKEW_MS } from '../../shared/auth/call-signature.ts';
import { CONTRACT_VERSION, REFUSAL_UNKNOWN_KEY, refusalMetadata } from '../../shared/proto/contract-version.ts';
import { replacedRefusalMetadata, type ProveReplacement } from '../auth/replaced-keys.ts';
import { CallRefused, verifyCall, type VerifiedCall } from '../auth/verify-call.ts';
import { enrollmentOf, spendNonce } from '../enrollment/enrollments.ts';
import type { GroupCommit } from '../state/group-commit.ts';
import type { SessionCall, SessionRegistry } from './registry.ts';
import { statement } from '../state/statements.ts';
import { isDiskFull, type MemoryNonces } from '../state/disk-full.ts';

export const SESSION_METHOD = '/kubedos.v1.Agent/Session';

/** A session that must use another path (wg1) to this hub. */
class WrongListener extends Error {}

/** "10.10.0.41:51234" or "[::ffff:10.10.0.41]:51234" → "10.10.0.41". */
function peerIp(peer: string): string {
  return peer
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:/, '');
}

/** The node a call says it is from (before anything is verified: for the refusal's words and the knock only). */
function headerNode(call: SessionCall): string {
  const v = call.metadata.get(AUTH_HEADERS.node)[0];
  return typeof v === 'string' ? v.slice(0, 64) : '';
}

export interface AgentServiceDeps {
  db: DatabaseSync;
  writes: GroupCommit;
  registry: SessionRegistry;
  heartbeatIntervalMs: number;
  log: Logger;
  /**
   * Whether a session that did not come over wg1 may stay on this listener
   * (the management-plane rule, shared/planes/session-route.ts); absent
   * where nodes have no planes (sim), and then every session is accepted.
   */
  sessionAllowedFrom?: (node: string, peerAddress: string) => Promise<boolean>;
  /** Signs a replaced node's proof (the hub's TLS CA key): what its minion discards its keys on. */
  proveReplacement: ProveReplacement;
  /** A node signed with a key this hub does not know (shown in `hubctl status`). */
  onUnknownKey?: (node: string, peer: string) => void;
  /** Where nonces are spent while the database cannot take them (a full disk). */
  memoryNonces?: MemoryNonces;
  /** A hello after the session's first arrived and was ignored (counted in the hub's metrics). */
  onHelloIgnored?: () => void;
  now?: () => number;
}

/**
 * The long-lived session: authenticated by the node's identity-key signature
 * (checked against the key enrolled now, so a replaced node's old key is
 * refused), the nonce spent durably before the node is admitted.
 */
export function agentService(deps: AgentServiceDeps): AgentHandlers {
  const now = deps.now ?? Date.now;
  return {
    Session: (call: SessionCall) => {
      void admit(deps, call, now).catch((err: unknown) => {
        const refused = err instanceof CallRefused;
        const elsewhere = err instanceof WrongListener;
        if (!refused && !elsewhere) deps.log.error('session failed', { error: String(err) });
        const r = refused ? (err as CallRefused) : undefined;
        const metadata = r?.metadata ?? (r?.kind ? refusalMetadata(r.kind) : undefined);
        const e: Partial<ServiceError> = {
          code: elsewhere ? status.FAILED_PRECONDITION : refused ? status.UNAUTHENTICATED : status.INTERNAL,
          details: refused || elsewhere ? (err as Error).message : 'internal error',
          ...(metadata ? { metadata } : {}),
        };
        call.emit('error', e);
      });
    },
  };
}

async function admit(deps: AgentServiceDeps, call: SessionCall, now: () => number): Promise<void> {
  const { db, registry, log } = deps;
  const peerAddress = peerIp(call.getPeer());
  let verified: VerifiedCall;
  try {
    verified = verifyCall(call.metadata, SESSION_METHOD, (n) => enrollmentOf(db, n)?.identityPublicKey, now());
  } catch (err) {
    if (!(err instanceof CallRefused) || err.kind !== REFUSAL_UNKNOWN_KEY) throw err;
    // Signed with a key this node held before a replace: the refusal proves it, and the node enrolls again.
    const replaced = replacedRefusalMetadata(db, call.metadata, SESSION_METHOD, now(), deps.proveReplacement);
    if (replaced)
      throw new CallRefused(`node ${headerNode(call)} was replaced; it must enroll again`, undefined, replaced);
    // Otherwise this hub does not know the key (its state lost, or restored from an older backup): the node
    // keeps its keys and knocks again; the operator sees the knock.
    deps.onUnknownKey?.(headerNode(call), peerAddress);
    throw err;
  }
  const expires = verified.timestampMs + MAX_CLOCK_SKEW_MS;
  let fresh: boolean;
  try {
    fresh =
      !deps.memoryNonces?.has(verified.nonce) && (await deps.writes.run(() => spendNonce(db, verified.nonce, expires)));
  } catch (err) {
    // The disk is full: the nonce is spent in memory (a replay is refused all the same) and the node is served.
    if (!isDiskFull(err) || !deps.memoryNonces) throw err;
    fresh = deps.memoryNonces.spend(verified.nonce, expires);
  }
  if (!fresh) throw new CallRefused('replayed session authentication refused');
  // The node may have been replaced while the nonce was being written.
  if (!enrollmentOf(db, verified.node)) {
    const replaced = replacedRefusalMetadata(db, call.metadata, SESSION_METHOD, now(), deps.proveReplacement);
    throw new CallRefused(`node ${verified.node} was replaced; it must enroll again`, REFUSAL_UNKNOWN_KEY, replaced);
  }
  const node = verified.node;
  if (deps.sessionAllowedFrom && !(await deps.sessionAllowedFrom(node, peerAddress))) {
    throw new WrongListener(`sessions from ${node} go over the management plane (wg1) while it is up`);
  }
  const session = registry.attach(node, call, now());
  const generation = enrollmentOf(db, node)?.generation ?? 0;
  log.info('session open', { node, peer: session.peer });
  void deps.writes
    .run(() =>
      statement(
        db,
        `INSERT INTO sessions (node, connected_at, last_heartbeat, disconnected_at, peer) VALUES (?, ?, ?, NULL, ?)
         ON CONFLICT (node) DO UPDATE SET connected_at = excluded.connected_at, last_heartbeat = excluded.last_heartbeat,
           disconnected_at = NULL, peer = excluded.peer`,
      ).run(node, session.connectedAt, session.connectedAt, session.peer),
    )
    .catch(() => {}); // a full disk: the live session is what counts, the record follows with the next heartbeats
  call.write({
    welcome: {
      node,
      heartbeatIntervalMs: deps.heartbeatIntervalMs,
      serverTimeMs: now(),
      generation,
      contractVersion: CONTRACT_VERSION,
    },
  });
  let helloHeard = false;
  call.on('data', (message) => {
    if (message.heartbeat) session.lastHeartbeat = now();
    if (message.hello) {
      // A node says its facts once per session: what a hello sets off (its unanswered tasks sent again, the
      // planes reconciled) is paid once, however many a node sends.
      if (helloHeard) {
        deps.onHelloIgnored?.();
        return;
      }
      helloHeard = true;
      // Before anyone hears the hello: the engine, woken by it, sends what this version can carry out.
      session.contract = message.hello.contractVersion || 1;
    }
    registry.emit('message', node, message);
    if (message.hello?.facts) registry.setFacts(node, session, message.hello.facts);
  });
  const close = () => {
    if (!registry.detach(node, call)) return;
    log.info('session closed', { node });
    const at = now();
    void deps.writes
      .run(() =>
        statement(db, 'UPDATE sessions SET disconnected_at = ?, last_heartbeat = ? WHERE node = ?').run(
          at,
          session.lastHeartbeat,
          node,
        ),
      )
      .catch(() => {});
  };
  call.on('end', () => {
    close();
    call.end();
  });
  call.on('error', close);
  call.on('cancelled', close);
  call.on('close', close);
}
