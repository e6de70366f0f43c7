/**
 * The planes for real, on the 16-node topology: one namespace per node on a
 * shared LAN bridge, wireguard-go interfaces rendered and brought up by the
 * same code the hub and minions run (HubPlanes, MinionPlanes), per-role
 * firewalls applied, then every property of the plane design checked with
 * pings and WireGuard's own peer state.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { NetnsLab } from '../../deploy/netns/namespaces.ts';
import { pingFrom, wgStatus } from '../../deploy/netns/plane-probes.ts';
import { HubPlanes } from '../../hub/planes/hub-planes.ts';
import type { StoredEnrollment } from '../../minion/enrollment-store.ts';
import { saveEnrollment } from '../../minion/enrollment-store.ts';
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
  isKubernetesNode,
  masterNode,
  planeOf,
  wg3Affected,
  type EnrolledNode,
} from '../../shared/planes/peer-lists.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import type { PlaneName, TopologyNode } from '../../shared/topology/model.ts';
import { requireSystem } from '../support/requirements.ts';

const t = loadTopology();
const TAG = 'kdwp';
const nsOf = (node: string) => `${TAG}-${node}`;
const master = masterNode(t);
const members = t.nodes.filter((n) => n.role !== 'master');
const kube = members.filter(isKubernetesNode);
const addr = (node: TopologyNode, plane: PlaneName) =>
  intendedPlaneAddresses(t, node).find((a) => a.plane === plane)!.address;
const hubAddr = (plane: PlaneName) => hubPlaneAddress(planeOf(t, plane));
const limit = pLimit(8);

describe('planes on the 16-node topology in network namespaces', function () {
  this.timeout(240_000);
  let dir: string;
  let lab: NetnsLab;
  let hub: HubPlanes;
  const planes = new Map<string, MinionPlanes>();
  const enrolled = new Map<string, EnrolledNode>();

  const dirOf = (node: string) => path.join(dir, 'nodes', node);
  /** A node's commands: in its namespace, with its own /run/wireguard. */
  const runners = new Map<string, CommandRunner>();
  const on = (node: string): CommandRunner => {
    let r = runners.get(node);
    if (!r) {
      fs.mkdirSync(path.join(dirOf(node), 'run'), { recursive: true, mode: 0o700 });
      r = runInNamespace(nsOf(node), privateWireguardRun(path.join(dirOf(node), 'run')));
      runners.set(node, r);
    }
    return r;
  };
  const enrollmentOf = (node: TopologyNode): StoredEnrollment => ({
    deployment: t.name,
    node: node.hostname,
    role: node.role,
    generation: 1,
    enrolledAtMs: Date.now(),
    heartbeatIntervalMs: 5000,
    planes: t.planes.map((p) => ({
      plane: p.name,
      purpose: p.purpose,
      address: `${addr(node, p.name)}/32`,
      network: p.cidr,
      listenPort: p.port,
      hubAddress: hubAddr(p.name),
      hubPublicKey: hub.publicKeys[p.name],
      hubEndpoint: endpointOf(t, master, p.name),
    })),
  });

  /** What enrollment does on both sides: the node's keys and files, the hub's peers. */
  async function enroll(node: TopologyNode): Promise<void> {
    const stateDir = path.join(dirOf(node.hostname), 'state');
    const keys = loadOrCreateNodeKeys(stateDir);
    const e = enrollmentOf(node);
    saveEnrollment(stateDir, e);
    enrolled.set(node.hostname, {
      name: node.hostname,
      planes: t.planes.map((p) => ({
        plane: p.name,
        publicKey: toBase64(keys.planes[p.name].publicKey),
        address: addr(node, p.name),
      })),
    });
    for (const p of t.planes) {
      await hub.upsertPeer(
        node.hostname,
        p.name,
        toBase64(keys.planes[p.name].publicKey),
        addr(node, p.name),
        endpointOf(t, node, p.name),
      );
    }
    await planes.get(node.hostname)!.applyEnrollment(e);
  }

  /** What the hub's session stream does: each node gets its complete peer lists. */
  async function pushUpdates(nodes: string[], revision: number): Promise<void> {
    const all = [...enrolled.values()];
    await Promise.all(
      nodes.map((n) =>
        limit(() => planes.get(n)!.applyPeerUpdate(configUpdateFor(t, all, n, hub.publicKeys, revision))),
      ),
    );
  }

  before(async function () {
    requireSystem(this, { root: true, commands: ['ip', 'wg', 'wireguard-go', 'nft', 'ping'], files: ['/dev/net/tun'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-planes-'));
    lab = NetnsLab.open(path.join(dir, 'lab.json'), TAG);
    await lab.addBridge(`${TAG}-lan`);
    for (const n of t.nodes) await lab.addNamespace(nsOf(n.hostname), { bridge: `${TAG}-lan`, address: `${n.ip}/24` });
    await lab.addNamespace(nsOf('rogue'), { bridge: `${TAG}-lan`, address: '10.10.0.99/24' });

    hub = new HubPlanes({
      topology: t,
      stateDir: path.join(dir, 'hub'),
      root: path.join(dir, 'hub-root'),
      mode: 'wireguard-go',
      run: on('master'),
    });
    await hub.start();
    for (const n of members) {
      planes.set(
        n.hostname,
        new MinionPlanes({
          root: path.join(dirOf(n.hostname), 'root'),
          stateDir: path.join(dirOf(n.hostname), 'state'),
          mode: 'wireguard-go',
          run: on(n.hostname),
        }),
      );
    }
    await Promise.all(members.map((n) => limit(() => enroll(n))));
    await pushUpdates(
      members.map((n) => n.hostname),
      1,
    );
    await Promise.all(
      t.nodes.map((n) =>
        limit(() =>
          applyFirewall({
            root: path.join(dirOf(n.hostname), 'root'),
            run: on(n.hostname),
            ruleset: renderRuleset(t, n.hostname),
          }),
        ),
      ),
    );
  });

  after(async () => {
    await lab?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes each node’s plane configs 0600 with its own private key', () => {
    for (const n of members) {
      for (const p of t.planes) {
        const file = path.join(dirOf(n.hostname), 'root/etc/wireguard', `${p.name}.conf`);
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        const key = fs.readFileSync(path.join(dirOf(n.hostname), 'state', `${p.name}.key`), 'utf8').trim();
        assert.ok(fs.readFileSync(file, 'utf8').includes(`PrivateKey = ${key}`));
      }
    }
  });

  it('every node reaches the hub over wg1 and wg2', async () => {
    const results = await Promise.all(
      members.flatMap((n) =>
        (['wg1', 'wg2'] as const).map((p) =>
          limit(async () => [`${n.hostname}→${p}`, await pingFrom(on(n.hostname), hubAddr(p))] as const),
        ),
      ),
    );
    assert.deepEqual(
      results.filter(([, ok]) => !ok).map(([what]) => what),
      [],
    );
  });

  it('every Kubernetes node reaches every other over wg3 directly (a handshake with that peer, at its LAN endpoint)', async () => {
    const pairs = kube.flatMap((a) => kube.filter((b) => b !== a).map((b) => [a, b] as const));
    const failed = (
      await Promise.all(
        pairs.map(([a, b]) =>
          limit(async () => ((await pingFrom(on(a.hostname), addr(b, 'wg3'))) ? '' : `${a.hostname}→${b.hostname}`)),
        ),
      )
    ).filter(Boolean);
    assert.deepEqual(failed, []);
    for (const a of kube) {
      const status = (await wgStatus(on(a.hostname), 'wg3'))!;
      for (const b of kube.filter((x) => x !== a)) {
        const peer = status.peers.find(
          (p) => p.publicKey === enrolled.get(b.hostname)!.planes.find((x) => x.plane === 'wg3')!.publicKey,
        );
        assert.ok(peer, `${a.hostname} has ${b.hostname} as a wg3 peer`);
        assert.ok(peer.latestHandshake > 0, `${a.hostname} handshook with ${b.hostname} directly`);
        assert.equal(peer.endpoint, `${b.ip}:${planeOf(t, 'wg3').port}`);
        assert.deepEqual(peer.allowedIps, [`${addr(b, 'wg3')}/32`]);
      }
    }
  });

  it('the hub routes the metrics plane (prometheus reaches a node’s wg2 address) but never wg1', async () => {
    const prometheus = members.find((n) => n.role === 'prometheus')!;
    const w1 = members.find((n) => n.hostname === 'w-1')!;
    assert.equal(await pingFrom(on(prometheus.hostname), addr(w1, 'wg2')), true);
    assert.equal(await pingFrom(on(prometheus.hostname), addr(w1, 'wg1'), { deadlineSeconds: 2 }), false);
  });

  it('a node’s wg2 cannot reach another node’s wg1 address', async () => {
    const [a, b] = [members.find((n) => n.hostname === 'w-1')!, members.find((n) => n.hostname === 'etcd-1')!];
    assert.equal(await pingFrom(on(a.hostname), addr(b, 'wg1'), { source: addr(a, 'wg2'), deadlineSeconds: 2 }), false);
    // Even with a route that sends wg1 addresses into wg2, the hub does not forward it.
    await lab.exec(nsOf(a.hostname), [
      'ip',
      'route',
      'add',
      `${addr(b, 'wg1')}/32`,
      'dev',
      'wg2',
      'src',
      addr(a, 'wg2'),
    ]);
    try {
      assert.equal(await pingFrom(on(a.hostname), addr(b, 'wg1'), { deadlineSeconds: 2 }), false);
    } finally {
      await lab.exec(nsOf(a.hostname), ['ip', 'route', 'del', `${addr(b, 'wg1')}/32`, 'dev', 'wg2']);
    }
  });

  it('a namespace that never enrolled reaches no plane address, even routing via the master or with its own WireGuard key', async () => {
    const rogue = nsOf('rogue');
    const targets = [...t.planes.map((p) => hubAddr(p.name)), ...t.planes.map((p) => addr(kube[0]!, p.name))];
    for (const p of t.planes) await lab.exec(rogue, ['ip', 'route', 'add', p.cidr, 'via', master.ip]);
    for (const a of targets)
      assert.equal(await pingFrom(on('rogue'), a, { deadlineSeconds: 1 }), false, `rogue reached ${a} via the master`);
    for (const p of t.planes) await lab.exec(rogue, ['ip', 'route', 'del', p.cidr]);
    // A WireGuard interface with a key the hub never saw: no handshake, no traffic.
    const rogueDir = path.join(dir, 'rogue');
    const rp = new MinionPlanes({
      root: path.join(rogueDir, 'root'),
      stateDir: path.join(rogueDir, 'state'),
      mode: 'wireguard-go',
      run: on('rogue'),
    });
    loadOrCreateNodeKeys(path.join(rogueDir, 'state'));
    const fake = { ...enrollmentOf(kube[0]!), node: 'rogue' };
    fake.planes = fake.planes.map((p) => ({ ...p, address: p.address.replace(/\.\d+\/32$/, '.99/32') }));
    await rp.applyEnrollment(fake);
    for (const p of t.planes)
      assert.equal(
        await pingFrom(on('rogue'), hubAddr(p.name), { deadlineSeconds: 2 }),
        false,
        `rogue reached the hub on ${p.name}`,
      );
    const hubSide = (await wgStatus(on('rogue'), 'wg1'))!;
    assert.equal(hubSide.peers[0]!.latestHandshake, 0, 'the hub never completed a handshake with an unknown key');
  });

  it('replacing a node: its old keys stop working, the new ones work, other nodes’ wg3 lists follow', async () => {
    const node = members.find((n) => n.hostname === 'w-2')!;
    const oldWg3 = enrolled.get('w-2')!.planes.find((p) => p.plane === 'wg3')!.publicKey;
    const oldWg1 = enrolled.get('w-2')!.planes.find((p) => p.plane === 'wg1')!.publicKey;
    // hubctl replace: the hub drops every peer of the node at once, and tells the mesh.
    await hub.removeNode('w-2');
    enrolled.delete('w-2');
    await pushUpdates(wg3Affected(t, [...enrolled.values(), { name: 'w-2', planes: [] }], 'w-2'), 2);
    const hubWg1 = (await wgStatus(on('master'), 'wg1'))!;
    assert.ok(!hubWg1.peers.some((p) => p.publicKey === oldWg1));
    for (const k of kube.filter((n) => n !== node)) {
      assert.ok(
        !(await wgStatus(on(k.hostname), 'wg3'))!.peers.some((p) => p.publicKey === oldWg3),
        `${k.hostname} dropped the old key`,
      );
    }
    // The old node, still holding the old keys, gets nowhere: no new handshake on any plane.
    const before = (await wgStatus(on('w-2'), 'wg1'))!.peers[0]!.latestHandshake;
    assert.equal(await pingFrom(on('w-2'), hubAddr('wg1'), { deadlineSeconds: 2 }), false);
    assert.equal(await pingFrom(on('w-2'), addr(kube[0]!, 'wg3'), { deadlineSeconds: 2 }), false);
    assert.equal((await wgStatus(on('w-2'), 'wg1'))!.peers[0]!.latestHandshake, before);

    // The rebuilt node makes new keys and enrolls again.
    discardNodeKeys(path.join(dirOf('w-2'), 'state'));
    await enroll(node);
    await pushUpdates(wg3Affected(t, [...enrolled.values()], 'w-2').concat('w-2'), 3);
    const newWg3 = enrolled.get('w-2')!.planes.find((p) => p.plane === 'wg3')!.publicKey;
    assert.notEqual(newWg3, oldWg3);
    assert.equal(await pingFrom(on('w-2'), hubAddr('wg1')), true);
    for (const k of kube.filter((n) => n !== node)) {
      assert.equal(await pingFrom(on(k.hostname), addr(node, 'wg3')), true, `${k.hostname} reaches the new w-2`);
      const peer = (await wgStatus(on(k.hostname), 'wg3'))!.peers.find((p) => p.publicKey === newWg3);
      assert.ok(peer && peer.latestHandshake > 0, `${k.hostname} handshook with the new w-2 key`);
    }
  });

  it('the hub’s peers survive a restart of its planes (persisted, restored from its files)', async () => {
    const count = (await wgStatus(on('master'), 'wg3'))!.peers.length;
    await hub.stop();
    assert.equal(await wgStatus(on('master'), 'wg3'), undefined);
    const again = new HubPlanes({
      topology: t,
      stateDir: path.join(dir, 'hub'),
      root: path.join(dir, 'hub-root'),
      mode: 'wireguard-go',
      run: on('master'),
    });
    await again.start();
    assert.equal((await wgStatus(on('master'), 'wg3'))!.peers.length, count);
    assert.equal(await pingFrom(on('cp-1'), hubAddr('wg1')), true);
  });
});
