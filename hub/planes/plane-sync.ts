/**
 * Keeps the planes in step with the hub's state: the hub's own peers (one per
 * enrolled node and plane) and every connected node's peer lists, pushed
 * over its session as a ConfigUpdate whenever they change. It reconciles
 * from the database rather than from events, so a missed or repeated event
 * cannot leave a stale peer: after a node's session opens, after a replace,
 * and on start.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../shared/log.ts';
import { configUpdateFor, endpointOf, topologyNode } from '../../shared/planes/peer-lists.ts';
import type { Topology } from '../../shared/topology/model.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { topologyWithStoredAddresses } from '../ipam/stored-topology.ts';
import { readEnrolledNodes } from './enrolled-nodes.ts';
import { renderRuleset } from '../../shared/firewall/render-ruleset.ts';
import { lanInterfaceOf } from '../../shared/net/lan-interface.ts';
import type { HubPlanes } from './hub-planes.ts';

export interface PlaneSyncDeps {
  db: DatabaseSync;
  topology: Topology;
  registry: SessionRegistry;
  planes: HubPlanes;
  log: Logger;
}

export class PlaneSync {
  private readonly deps: PlaneSyncDeps;
  /** What each node was last sent (without the revision), so unchanged lists are not re-sent. */
  private readonly sent = new Map<string, string>();
  private revision = Date.now();
  private queue: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  private readonly onConnected = (node: string) => {
    this.sent.delete(node); // a new session has not heard anything yet
    void this.reconcile();
  };
  private readonly onDisconnected = (node: string) => {
    this.sent.delete(node);
  };
  private readonly onFacts = () => void this.reconcile();

  constructor(deps: PlaneSyncDeps) {
    this.deps = deps;
  }

  /** Brings the hub's planes up with the persisted peers, then follows sessions. */
  async start(): Promise<void> {
    await this.deps.planes.start();
    this.deps.registry.on('connected', this.onConnected);
    this.deps.registry.on('disconnected', this.onDisconnected);
    this.deps.registry.on('facts', this.onFacts);
    await this.reconcile();
  }

  stop(): void {
    this.deps.registry.off('connected', this.onConnected);
    this.deps.registry.off('disconnected', this.onDisconnected);
    this.deps.registry.off('facts', this.onFacts);
  }

  /** Makes the hub's peers match the enrolled set, then tells every connected node what changed for it. */
  reconcile(): Promise<void> {
    // Events arriving while a reconcile waits to start are covered by it: it reads the state when it runs.
    if (this.waiting) return this.waiting;
    const run = this.queue.then(() => {
      this.waiting = undefined;
      return this.reconcileNow();
    });
    this.waiting = run;
    this.queue = run.catch((err: unknown) => this.deps.log.error('plane reconcile failed', { error: String(err) }));
    return run;
  }

  private async reconcileNow(): Promise<void> {
    const { db, topology: t, planes, registry, log } = this.deps;
    const enrolled = readEnrolledNodes(db);
    const wanted = new Set(enrolled.map((n) => n.name));
    for (const node of Object.keys(planes.peers)) {
      if (!wanted.has(node)) {
        await planes.removeNode(node);
        log.info('plane peers removed', { node });
      }
    }
    for (const n of enrolled) {
      const lan = topologyNode(t, n.name);
      for (const p of n.planes) {
        const have = planes.peers[n.name]?.[p.plane];
        if (have?.publicKey === p.publicKey && have.allowedIp === `${p.address}/32`) continue;
        await planes.upsertPeer(n.name, p.plane, p.publicKey, p.address, endpointOf(t, lan, p.plane));
        log.info('plane peer set', { node: n.name, plane: p.plane, address: p.address });
      }
    }
    const stored = topologyWithStoredAddresses(db, t);
    for (const s of registry.all()) {
      if (!wanted.has(s.node)) continue;
      const node = topologyNode(t, s.node);
      // The firewall names the node's LAN interface, so it waits for the node to say which that is.
      const lanInterface = lanInterfaceOf(s.facts, node.ip);
      const update = {
        ...configUpdateFor(t, enrolled, s.node, planes.publicKeys, 0),
        // The master's firewall is the hub's business (it holds the planes); every other node gets its role's.
        firewallRuleset: node.role === 'master' || !lanInterface ? '' : renderRuleset(stored, s.node, { lanInterface }),
      };
      const fingerprint = JSON.stringify(update, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
      if (this.sent.get(s.node) === fingerprint) continue;
      update.revision = ++this.revision;
      if (registry.send(s.node, { config: update })) this.sent.set(s.node, fingerprint);
    }
  }
}
