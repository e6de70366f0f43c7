/**
 * The planes of a whole topology in namespaces, driven directly through the
 * same modules the hub and minions run (HubPlanes, MinionPlanes,
 * applyFirewall) but without the gRPC enrollment in front of them: the
 * fleet plays enrollment's part (node keys made in the node's own state dir,
 * hub peers set, ConfigUpdates computed by peer-lists and applied). Used by
 * the plane tests and the bench to exercise the planes on their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { HubPlanes } from '../../hub/planes/hub-planes.ts';
import { saveEnrollment, type StoredEnrollment } from '../../minion/enrollment-store.ts';
import { discardNodeKeys, loadOrCreateNodeKeys } from '../../minion/node-keys.ts';
import { applyFirewall } from '../../minion/planes/apply-firewall.ts';
import { MinionPlanes } from '../../minion/planes/minion-planes.ts';
import { renderRuleset } from '../../shared/firewall/render-ruleset.ts';
import { toBase64 } from '../../shared/keys/wireguard.ts';
import { hubPlaneAddress, intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import { privateWireguardRun, runInNamespace, type CommandRunner } from '../../shared/planes/command-runner.ts';
import {
  configUpdateFor,
  endpointOf,
  masterNode,
  planeOf,
  wg3Affected,
  type EnrolledNode,
} from '../../shared/planes/peer-lists.ts';
import type { PlaneName, Topology, TopologyNode } from '../../shared/topology/model.ts';
import { NetnsLab } from '../../deploy/substrates/netns/namespaces.ts';
import { namespaceName } from '../../deploy/substrates/netns/substrate.ts';

export interface PlaneFleetOptions {
  topology: Topology;
  /** Private working directory (lab state, node dirs); created. */
  dir: string;
  tag: string;
  /** Extra namespaces on the LAN that never enroll: name suffix → LAN address. */
  outsiders?: Record<string, string>;
}

export class PlaneFleet {
  readonly t: Topology;
  readonly lab: NetnsLab;
  hub: HubPlanes;
  readonly enrolled = new Map<string, EnrolledNode>();
  private readonly dir: string;
  private readonly tag: string;
  private readonly runners = new Map<string, CommandRunner>();
  private readonly planes = new Map<string, MinionPlanes>();
  private readonly limit = pLimit(8);
  private revision = 0;

  private constructor(opts: PlaneFleetOptions, lab: NetnsLab) {
    this.t = opts.topology;
    this.dir = opts.dir;
    this.tag = opts.tag;
    this.lab = lab;
    this.hub = this.newHub();
  }

  private newHub(): HubPlanes {
    return new HubPlanes({
      topology: this.t,
      stateDir: path.join(this.dir, 'hub'),
      root: path.join(this.nodeDir(masterNode(this.t).hostname), 'root'),
      mode: 'wireguard-go',
      run: this.on(masterNode(this.t).hostname),
    });
  }

  /** As after a reboot of the master: the hub's planes go away, and a new hub brings them back from its files. */
  async restartHub(between?: () => Promise<void>): Promise<void> {
    await this.hub.stop();
    await between?.();
    this.hub = this.newHub();
    await this.hub.start();
  }

  /** Namespaces on a bridge, the hub's planes up; no node enrolled yet. */
  static async create(opts: PlaneFleetOptions): Promise<PlaneFleet> {
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const lab = NetnsLab.open(path.join(opts.dir, 'lab.json'), opts.tag);
    const fleet = new PlaneFleet(opts, lab);
    try {
      const bridge = `${opts.tag}-lan`;
      await lab.addBridge(bridge);
      for (const n of opts.topology.nodes)
        await lab.addNamespace(fleet.nsOf(n.hostname), { bridge, address: `${n.ip}/24` });
      for (const [name, ip] of Object.entries(opts.outsiders ?? {})) {
        await lab.addNamespace(fleet.nsOf(name), { bridge, address: `${ip}/24` });
      }
      await fleet.hub.start();
    } catch (err) {
      await lab.teardown();
      throw err;
    }
    return fleet;
  }

  nsOf(node: string): string {
    const n = this.t.nodes.find((x) => x.hostname === node);
    return n ? namespaceName(this.tag, n) : `${this.tag}-${node}`;
  }

  nodeDir(node: string): string {
    return path.join(this.dir, 'nodes', node);
  }

  /** A node's commands: in its namespace, with its own /run/wireguard. */
  on(node: string): CommandRunner {
    let r = this.runners.get(node);
    if (!r) {
      const run = path.join(this.nodeDir(node), 'run');
      fs.mkdirSync(run, { recursive: true, mode: 0o700 });
      r = runInNamespace(this.nsOf(node), privateWireguardRun(run));
      this.runners.set(node, r);
    }
    return r;
  }

  minionPlanes(node: string): MinionPlanes {
    let p = this.planes.get(node);
    if (!p) {
      p = new MinionPlanes({
        root: path.join(this.nodeDir(node), 'root'),
        stateDir: path.join(this.nodeDir(node), 'state'),
        mode: 'wireguard-go',
        run: this.on(node),
      });
      this.planes.set(node, p);
    }
    return p;
  }

  address(node: TopologyNode, plane: PlaneName): string {
    return intendedPlaneAddresses(this.t, node).find((a) => a.plane === plane)!.address;
  }

  /** The EnrollResponse the hub would give this node, as the minion stores it. */
  enrollmentOf(node: TopologyNode): StoredEnrollment {
    const master = masterNode(this.t);
    return {
      deployment: this.t.name,
      node: node.hostname,
      role: node.role,
      generation: 1,
      enrolledAtMs: Date.now(),
      heartbeatIntervalMs: 5000,
      planes: this.t.planes.map((p) => ({
        plane: p.name,
        purpose: p.purpose,
        address: `${this.address(node, p.name)}/32`,
        network: p.cidr,
        listenPort: p.port,
        hubAddress: hubPlaneAddress(planeOf(this.t, p.name)),
        hubPublicKey: this.hub.publicKeys[p.name],
        hubEndpoint: endpointOf(this.t, master, p.name),
      })),
    };
  }

  /** Enrollment's effect on both sides: keys made on the node, the hub's peers, the node's planes up. */
  async enroll(node: TopologyNode): Promise<void> {
    const stateDir = path.join(this.nodeDir(node.hostname), 'state');
    const keys = loadOrCreateNodeKeys(stateDir);
    const e = this.enrollmentOf(node);
    saveEnrollment(stateDir, e);
    this.enrolled.set(node.hostname, {
      name: node.hostname,
      planes: this.t.planes.map((p) => ({
        plane: p.name,
        publicKey: toBase64(keys.planes[p.name].publicKey),
        address: this.address(node, p.name),
      })),
    });
    for (const p of this.t.planes) {
      const key = toBase64(keys.planes[p.name].publicKey);
      await this.hub.upsertPeer(
        node.hostname,
        p.name,
        key,
        this.address(node, p.name),
        endpointOf(this.t, node, p.name),
      );
    }
    await this.minionPlanes(node.hostname).applyEnrollment(e);
  }

  /** What the session stream carries: each named node gets its complete peer lists. */
  async pushUpdates(nodes: string[]): Promise<void> {
    const all = [...this.enrolled.values()];
    const revision = ++this.revision;
    await Promise.all(
      nodes.map((n) =>
        this.limit(() =>
          this.minionPlanes(n).applyPeerUpdate(configUpdateFor(this.t, all, n, this.hub.publicKeys, revision)),
        ),
      ),
    );
  }

  /** Every non-master node enrolled and told its peers; every node's firewall applied when asked. */
  async enrollAll(opts: { firewall: boolean }): Promise<void> {
    const members = this.t.nodes.filter((n) => n.role !== 'master');
    await Promise.all(members.map((n) => this.limit(() => this.enroll(n))));
    await this.pushUpdates(members.map((n) => n.hostname));
    if (opts.firewall) {
      await Promise.all(
        this.t.nodes.map((n) =>
          this.limit(() =>
            applyFirewall({
              root: path.join(this.nodeDir(n.hostname), 'root'),
              run: this.on(n.hostname),
              ruleset: renderRuleset(this.t, n.hostname),
            }),
          ),
        ),
      );
    }
  }

  /** `hubctl replace`: the hub drops the node's peers at once and the mesh is told. Returns who was told. */
  async revoke(node: string): Promise<string[]> {
    const told = wg3Affected(this.t, [...this.enrolled.values()], node);
    await this.hub.removeNode(node);
    this.enrolled.delete(node);
    await this.pushUpdates(told);
    return told;
  }

  /** The rebuilt node makes new keys and enrolls again; the mesh and the node learn the new peers. */
  async reenroll(node: TopologyNode): Promise<void> {
    discardNodeKeys(path.join(this.nodeDir(node.hostname), 'state'));
    await this.enroll(node);
    await this.pushUpdates([...wg3Affected(this.t, [...this.enrolled.values()], node.hostname), node.hostname]);
  }

  async teardown(): Promise<void> {
    await this.lab.teardown();
  }
}
