import assert from 'node:assert/strict';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { AgentClient } from '../../proto/gen/kubedos/v1/Agent.ts';
import type { HubMessage__Output } from '../../proto/gen/kubedos/v1/HubMessage.ts';
import type { MinionMessage } from '../../proto/gen/kubedos/v1/MinionMessage.ts';
import { signCall } from '../../shared/auth/call-signature.ts';
import { generateSigningKeyPair } from '../../shared/keys/ed25519.ts';
import { CONTRACT_VERSION } from '../../shared/proto/contract-version.ts';
import { contract } from '../../shared/proto/contract.ts';
import { hubChannel } from '../../shared/proto/hub-channel.ts';
import { DEFAULT_CONNECTION_LIMITS } from '../../hub/listener/limited-listener.ts';
import { makeNodeKeys, startHub, type HubFixture } from '../support/hub-fixture.ts';
import { until } from '../support/until.ts';

const SESSION = '/kubedos.v1.Agent/Session';

/**
 * Opens `count` plain TCP connections to the hub's node port from `from` (a
 * loopback address of its own), and tells which the hub closed at once.
 * Bounded: a few dozen sockets, on loopback only.
 */
async function connectMany(port: number, from: string, count: number): Promise<{ open: net.Socket[]; closed: number }> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(s));
          s.once('error', (err) => {
            // A connection reset by the hub before connect's callback still counts as made and closed.
            if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(s);
            else reject(err);
          });
        }),
    ),
  );
  // The hub closes what is over its limits as soon as it accepts them: wait until no more are closed.
  const closedNow = () => sockets.filter((s) => s.destroyed).length;
  for (let last = -1, steady = 0, i = 0; steady < 3 && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    steady = closedNow() === last ? steady + 1 : 0;
    last = closedNow();
  }
  return { open: sockets.filter((s) => !s.destroyed), closed: closedNow() };
}

/** A node's authenticated session, driven by hand: what it hears is counted by kind. */
class HandDrivenSession {
  readonly heard: HubMessage__Output[] = [];
  readonly call: grpc.ClientDuplexStream<MinionMessage, HubMessage__Output>;

  constructor(agent: AgentClient, seed: Uint8Array, node: string) {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(signCall(seed, SESSION, node))) md.set(k, v);
    this.call = agent.Session(md);
    this.call.on('data', (m: HubMessage__Output) => this.heard.push(m));
    this.call.on('error', () => {});
  }

  count(kind: 'welcome' | 'task'): number {
    return this.heard.filter((m) => m[kind]).length;
  }

  hello(): void {
    this.call.write({
      hello: { facts: { hostname: 'w-1' }, minionVersion: 'test', contractVersion: CONTRACT_VERSION },
    });
  }
}

/**
 * The node-facing port is open to the LAN before anyone is authenticated:
 * one address flooding it gets its share of connections and no more, the
 * whole stays bounded, and enrolled nodes keep being served. A node's
 * repeated hellos cost the hub nothing after the first. All of it against a
 * real hub on its real (TLS) port, on loopback addresses of their own.
 */
describe('hub: bounded before authentication, and cheap repeated hellos', function () {
  let f: HubFixture;
  let agent: AgentClient;
  const sockets: net.Socket[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    agent?.close();
    await f?.close();
  });

  async function enrolledNode(node: string): Promise<Uint8Array> {
    await f.openWindow();
    const keys = makeNodeKeys();
    await f.enroll(f.request(node, keys));
    return keys.identity.seed;
  }

  it('holds one address to its share of connections, and serves an enrolled node meanwhile', async () => {
    f = await startHub();
    const { credentials, options } = hubChannel(f.secrets.hubCaPem);
    agent = new (contract().Agent)(`127.0.0.1:${f.hub.port}`, credentials, options);
    const seed = await enrolledNode('w-1');
    const perPeer = DEFAULT_CONNECTION_LIMITS.perPeer;

    const flood = await connectMany(f.hub.port, '127.0.0.2', perPeer * 4);
    sockets.push(...flood.open);
    assert.equal(flood.open.length, perPeer, 'the flooding address keeps exactly its share');
    assert.equal(flood.closed, perPeer * 3);
    // Unauthenticated calls from another address while the first one holds its share, all at once on one connection.
    const stranger = generateSigningKeyPair().seed;
    const refusals = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<grpc.ServiceError>((resolve) => {
            const md = new grpc.Metadata();
            for (const [k, v] of Object.entries(signCall(stranger, SESSION, 'w-2'))) md.set(k, v);
            const call = agent.Session(md);
            call.on('error', resolve);
            call.on('data', () => resolve(new Error('welcomed') as grpc.ServiceError));
          }),
      ),
    );
    // Each is refused alike; those over the connection's call limit are not even read.
    const codes = refusals.map((e) => e.code);
    for (const c of codes) assert.ok([grpc.status.UNAUTHENTICATED, grpc.status.RESOURCE_EXHAUSTED].includes(c), `${c}`);
    assert.ok(
      codes.filter((c) => c === grpc.status.UNAUTHENTICATED).length >= DEFAULT_CONNECTION_LIMITS.streamsPerConnection,
    );
    for (const e of refusals) assert.doesNotMatch(e.details, new RegExp(f.topology.name));

    // The enrolled node, from its own address, still gets its session.
    const session = new HandDrivenSession(agent, seed, 'w-1');
    await until('the enrolled node’s welcome', () => (session.count('welcome') ? true : undefined), 10_000);
    session.call.end();

    const metrics = await f.hub.metrics.registry.getSingleMetricAsString('kubedos_connections_refused_total');
    assert.match(metrics, new RegExp(`limit="per_peer"[^}]*} ${perPeer * 3}$`, 'm'));
  });

  it('holds the whole port to its total, whichever addresses come', async () => {
    f = await startHub({ connectionLimits: { total: 20 } });
    const first = await connectMany(f.hub.port, '127.0.0.3', 12);
    const second = await connectMany(f.hub.port, '127.0.0.4', 12);
    sockets.push(...first.open, ...second.open);
    assert.equal(first.open.length, 12);
    assert.equal(second.open.length, 8, 'the total (20) is reached');
    // What is closed frees its place.
    for (const s of first.open.splice(0, 4)) s.destroy();
    await until('the hub to see the closed connections', async () => {
      const again = await connectMany(f.hub.port, '127.0.0.5', 1);
      sockets.push(...again.open);
      return again.open.length === 1 ? true : undefined;
    });
  });

  it('acts on a session’s first hello only: repeated hellos resend nothing', async () => {
    f = await startHub();
    const { credentials, options } = hubChannel(f.secrets.hubCaPem);
    agent = new (contract().Agent)(`127.0.0.1:${f.hub.port}`, credentials, options);
    const seed = await enrolledNode('w-1');
    const session = new HandDrivenSession(agent, seed, 'w-1');
    await until('the welcome', () => (session.count('welcome') ? true : undefined), 10_000);
    session.hello();
    await f.admin.call((a) => a.Converge, { dryRun: false });
    // The run sends w-1 its first tasks (those that wait on nothing), and the node answers none of them.
    const sent = await until('w-1’s first tasks', () =>
      session.count('task') > 0 ? session.count('task') : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(session.count('task'), sent, 'nothing more is sent while the node is silent');

    for (let i = 0; i < 300; i++) session.hello();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(session.count('task'), sent, 'a repeated hello does not make the hub send the run again');
    const ignored = await f.hub.metrics.registry.getSingleMetricAsString('kubedos_hellos_ignored_total');
    assert.match(ignored, / 300$/m);
    // A new session is a new first hello: what the node was sent and never answered goes again, once.
    session.call.end();
    const next = new HandDrivenSession(agent, seed, 'w-1');
    await until('the second welcome', () => (next.count('welcome') ? true : undefined), 10_000);
    next.hello();
    await until('the unanswered tasks sent again', () => (next.count('task') === sent ? true : undefined));
    next.call.end();
  });
});
