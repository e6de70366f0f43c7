import net from 'node:net';

/** How many connections the node-facing port holds at once, from one address and in total. */
export interface ConnectionLimits {
  perPeer: number;
  total: number;
  /** Calls open at once on one connection: a node holds its session and an occasional unary call. */
  streamsPerConnection: number;
}

/**
 * Real nodes each have their own address; the sim's nodes all share
 * loopback, so it raises `perPeer` (deploy/toolkit/node-files.ts).
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { perPeer: 16, total: 1024, streamsPerConnection: 16 };

export type LimitHit = 'per_peer' | 'total';

/** "10.10.0.41", "::ffff:10.10.0.41" → "10.10.0.41": one peer whichever family it came in on. */
function peerKey(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

/** "0.0.0.0:7443", "[::]:7443", "127.0.0.1:0" → host and port. */
function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(listen);
  if (!m) throw new Error(`listen address ${JSON.stringify(listen)} is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

/**
 * The node-facing TCP listener, in front of gRPC's TLS: a connection over
 * its peer's share or over the total is closed before any TLS or HTTP/2 work
 * is spent on it, so one address flooding the port cannot take the hub's
 * memory or the places its nodes need. Accepted sockets are handed to gRPC
 * (its connection injector), which owns them from there.
 */
export class LimitedListener {
  readonly #server: net.Server;
  readonly #perPeer = new Map<string, number>();
  readonly #sockets = new Set<net.Socket>();
  #total = 0;

  constructor(limits: ConnectionLimits, accept: (socket: net.Socket) => void, onLimit: (hit: LimitHit) => void) {
    this.#server = net.createServer({ noDelay: true }, (socket) => {
      const peer = peerKey(socket.remoteAddress);
      const held = this.#perPeer.get(peer) ?? 0;
      const hit: LimitHit | undefined =
        this.#total >= limits.total ? 'total' : held >= limits.perPeer ? 'per_peer' : undefined;
      if (hit) {
        socket.resetAndDestroy();
        onLimit(hit);
        return;
      }
      this.#total++;
      this.#perPeer.set(peer, held + 1);
      this.#sockets.add(socket);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.#total--;
        const left = (this.#perPeer.get(peer) ?? 1) - 1;
        if (left > 0) this.#perPeer.set(peer, left);
        else this.#perPeer.delete(peer);
      });
      accept(socket);
    });
  }

  /** Listens on "host:port"; resolves with the port bound (port 0 picks one). */
  listen(listen: string): Promise<number> {
    const { host, port } = parseListen(listen);
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as net.AddressInfo).port);
      });
    });
  }

  /**
   * Stops accepting. The connections it handed on are closed by their owner
   * (gRPC ends its sessions); any still open after `graceMs` (one that never
   * finished its TLS handshake, which gRPC does not see) is destroyed.
   */
  close(graceMs = 2000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const force = setTimeout(() => {
      for (const s of this.#sockets) s.destroy();
    }, graceMs);
    return closed.finally(() => clearTimeout(force));
  }
}
