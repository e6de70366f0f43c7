import { EventEmitter } from 'node:events';
import { status, type ServiceError } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import type { HubMessage } from '../../proto/gen/kubedos/v1/HubMessage.ts';
import type { MinionMessage__Output } from '../../proto/gen/kubedos/v1/MinionMessage.ts';
import type { Facts__Output } from '../../proto/gen/kubedos/v1/Facts.ts';

export type SessionCall = grpc.ServerDuplexStream<MinionMessage__Output, HubMessage>;

export interface LiveSession {
  node: string;
  call: SessionCall;
  peer: string;
  connectedAt: number;
  lastHeartbeat: number;
  facts: Facts__Output | null;
  /** The contract version its minion said in this session's hello (undefined before it). */
  contract?: number;
}

export interface SessionEvents {
  connected: [node: string];
  disconnected: [node: string];
  message: [node: string, message: MinionMessage__Output];
  /** The node's facts arrived (or changed): what is rendered from them (its firewall) is due again. */
  facts: [node: string];
}

/**
 * The live sessions, one per node (a newer session for the same node replaces
 * the older one). Everything that talks to a node goes through here: the
 * convergence engine sends tasks and hears results via its events.
 */
export class SessionRegistry extends EventEmitter<SessionEvents> {
  readonly #live = new Map<string, LiveSession>();
  /** Each node's facts as it last said them: a new session (the move from the LAN to wg1) keeps them until its hello. */
  readonly #facts = new Map<string, Facts__Output>();
  /** Nodes of the inventory that knocked with keys this hub does not know, since they last had a session. */
  readonly #knocks = new Map<string, { peer: string; at: number }>();

  attach(node: string, call: SessionCall, now: number): LiveSession {
    const previous = this.#live.get(node);
    const session: LiveSession = {
      node,
      call,
      peer: call.getPeer(),
      connectedAt: now,
      lastHeartbeat: now,
      facts: this.#facts.get(node) ?? null,
    };
    this.#live.set(node, session);
    this.#knocks.delete(node);
    if (previous) previous.call.end();
    this.emit('connected', node);
    return session;
  }

  /** Forgets the session if it is still the current one for the node. */
  detach(node: string, call: SessionCall): boolean {
    if (this.#live.get(node)?.call !== call) return false;
    this.#live.delete(node);
    this.emit('disconnected', node);
    return true;
  }

  /**
   * The node said its facts (its hello): kept for its later sessions. What is
   * rendered from them is due again only when they changed (a reconnecting
   * node that says the same costs no reconcile).
   */
  setFacts(node: string, session: LiveSession, facts: Facts__Output): void {
    const before = this.#facts.get(node);
    session.facts = facts;
    this.#facts.set(node, facts);
    if (!before || JSON.stringify(before) !== JSON.stringify(facts)) this.emit('facts', node);
  }

  /**
   * Resolves once every connected node among `nodes` has said its facts (a
   * session is open before its hello arrives), or after `limitMs`: what is
   * rendered from facts (the LAN interface keepalived and the firewall name)
   * is then rendered from the node's word, not a default.
   */
  async factsOfConnected(nodes: readonly string[], limitMs: number): Promise<void> {
    const missing = () => nodes.filter((n) => this.#live.has(n) && !this.#live.get(n)!.facts);
    if (missing().length === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('facts', check);
        this.off('disconnected', check);
        resolve();
      };
      const check = () => {
        if (missing().length === 0) done();
      };
      const timer = setTimeout(done, limitMs);
      this.on('facts', check);
      this.on('disconnected', check);
    });
  }

  /** A node of the inventory signed with a key this hub does not know (its state lost, or an older backup). */
  knocked(node: string, peer: string, at: number): void {
    this.#knocks.set(node, { peer, at });
  }

  /** The node's last knock with an unknown key, if it has had no session since. */
  knock(node: string): { peer: string; at: number } | undefined {
    return this.#knocks.get(node);
  }

  get(node: string): LiveSession | undefined {
    return this.#live.get(node);
  }

  isConnected(node: string): boolean {
    return this.#live.has(node);
  }

  send(node: string, message: HubMessage): boolean {
    const s = this.#live.get(node);
    if (!s) return false;
    s.call.write(message);
    return true;
  }

  /**
   * Ends a node's session because its keys were revoked, saying so on the
   * stream with `refusalMetadata` (the typed refusal and its proof): the minion learns it was replaced at once, while it can still
   * hear the hub (its wg1 peer is removed after this resolves).
   */
  async drop(node: string, refusalMetadata: grpc.Metadata, flushMs = 1000): Promise<void> {
    const s = this.#live.get(node);
    if (!s) return;
    this.#live.delete(node);
    // 'close' only means the refusal was handed to the kernel; over wg1 it still has to pass the
    // userspace WireGuard device, so the peer is kept a moment longer.
    const closed = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, flushMs * 2);
      s.call.once('close', () => {
        clearTimeout(t);
        setTimeout(resolve, flushMs);
      });
    });
    const refusal: Partial<ServiceError> = {
      code: status.UNAUTHENTICATED,
      details: `node ${node} was replaced; it must enroll again`,
      metadata: refusalMetadata,
    };
    s.call.emit('error', refusal);
    this.emit('disconnected', node);
    // Resolve once the refusal has left (or the grace has passed), so the caller can cut the node's planes after it.
    await closed;
  }

  all(): LiveSession[] {
    return [...this.#live.values()];
  }
}
