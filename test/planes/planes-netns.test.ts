/**
 * The planes for real, on the 16-node topology: one namespace per node on a
 * shared LAN bridge, wireguard-go interfaces rendered and brought up by the
 * same code the hub and minions run (HubPlanes, MinionPlanes), per-role
 * firewalls applied, then every property of the plane design checked with
 * pings and WireGuard's own peer state.
 */
import { podSubnetOf, runsPods } from '../../shared/kubernetes/pod-subnets.ts';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { PlaneFleet } from '../support/plane-fleet.ts';
import { pingFrom, wgStatus } from '../../deploy/substrates/netns/plane-probes.ts';
import { loadOrCreateNodeKeys } from '../../minion/node-keys.ts';
import { MinionPlanes } from '../../minion/planes/minion-planes.ts';
import { hubPlaneAddress } from '../../shared/planes/addressing.ts';
import { isKubernetesNode, masterNode, planeOf } from '../../shared/planes/peer-lists.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import type { PlaneName, TopologyNode } from '../../shared/topology/model.ts';
import { requireSystem } from '../support/requirements.ts';

const t = loadTopology();
const master = masterNode(t);
const members = t.nodes.filter((n) => n.role !== 'master');
const kube = members.filter(isKubernetesNode);
const byName = (name: string) => t.nodes.find((n) => n.hostname === name)!;
const hubAddr = (plane: PlaneName) => hubPlaneAddress(planeOf(t, plane));
const limit = pLimit(8);

describe('planes on the 16-node topology in network namespaces', function () {
  this.timeout(300_000);
  let dir: string;
  let fleet: PlaneFleet;
  const on = (node: string) => fleet.on(node);
  const addr = (node: TopologyNode, plane: PlaneName) => fleet.address(node, plane);
  const keyOf = (node: string, plane: PlaneName) =>
    fleet.enrolled.get(node)!.planes.find((p) => p.plane === plane)!.publicKey;

  before(async function () {
    requireSystem(this, { root: true, commands: ['ip', 'wg', 'wireguard-go', 'nft', 'ping'], files: ['/dev/net/tun'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-planes-'));
    fleet = await PlaneFleet.create({ topology: t, dir, tag: 'kdwp', outsiders: { rogue: '10.10.0.99' } });
    await fleet.enrollAll({ firewall: true });
  });

  after(async () => {
    await fleet?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes each node’s plane configs 0600 with its own private key', () => {
    for (const n of members) {
      for (const p of t.planes) {
        const file = path.join(fleet.nodeDir(n.hostname), 'root/etc/wireguard', `${p.name}.conf`);
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        const key = fs.readFileSync(path.join(fleet.nodeDir(n.hostname), 'state', `${p.name}.key`), 'utf8').trim();
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
    const failed = await Promise.all(
      pairs.map(([a, b]) =>
        limit(async () => ((await pingFrom(on(a.hostname), addr(b, 'wg3'))) ? '' : `${a.hostname}→${b.hostname}`)),
      ),
    );
    assert.deepEqual(failed.filter(Boolean), []);
    for (const a of kube) {
      const status = (await wgStatus(on(a.hostname), 'wg3'))!;
      for (const b of kube.filter((x) => x !== a)) {
        const peer = status.peers.find((p) => p.publicKey === keyOf(b.hostname, 'wg3'));
        assert.ok(peer, `${a.hostname} has ${b.hostname} as a wg3 peer`);
        assert.ok(peer.latestHandshake > 0, `${a.hostname} handshook with ${b.hostname} directly`);
        assert.equal(peer.endpoint, `${b.ip}:${planeOf(t, 'wg3').port}`);
        // Between two nodes that run pods, b's pod subnet is b's on wg3 too, and a routes it there.
        const pods = runsPods(a) && runsPods(b) ? [podSubnetOf(t, b)] : [];
        assert.deepEqual(peer.allowedIps, [`${addr(b, 'wg3')}/32`, ...pods]);
        for (const subnet of pods) {
          const route = await on(a.hostname)(['ip', '-o', 'route', 'show', subnet]);
          assert.match(route.stdout, /dev wg3/, `${a.hostname} routes ${subnet} via wg3`);
        }
      }
    }
  });

  it('the hub routes the metrics plane (prometheus reaches a node’s wg2 address) but never wg1', async () => {
    const prometheus = members.find((n) => n.role === 'prometheus')!;
    const w1 = byName('w-1');
    assert.equal(await pingFrom(on(prometheus.hostname), addr(w1, 'wg2')), true);
    assert.equal(await pingFrom(on(prometheus.hostname), addr(w1, 'wg1'), { deadlineSeconds: 2 }), false);
  });

  it('a node’s wg2 cannot reach another node’s wg1 address', async () => {
    const [a, b] = [byName('w-1'), byName('etcd-1')];
    assert.equal(await pingFrom(on(a.hostname), addr(b, 'wg1'), { source: addr(a, 'wg2'), deadlineSeconds: 2 }), false);
    // Even with a route that sends the wg1 address into wg2, the hub does not forward it.
    const route = [`${addr(b, 'wg1')}/32`, 'dev', 'wg2'];
    await on(a.hostname)(['ip', 'route', 'add', ...route, 'src', addr(a, 'wg2')]);
    try {
      assert.equal(await pingFrom(on(a.hostname), addr(b, 'wg1'), { deadlineSeconds: 2 }), false);
    } finally {
      await on(a.hostname)(['ip', 'route', 'del', ...route]);
    }
  });

  it('a namespace that never enrolled reaches no plane address, even routing via the master or with its own key', async () => {
    const rogue = on('rogue');
    const targets = [...t.planes.map((p) => hubAddr(p.name)), ...t.planes.map((p) => addr(kube[0]!, p.name))];
    for (const p of t.planes) await rogue(['ip', 'route', 'add', p.cidr, 'via', master.ip]);
    const reached = await Promise.all(targets.map((a) => pingFrom(rogue, a, { deadlineSeconds: 2 })));
    assert.deepEqual(
      targets.filter((_, i) => reached[i]),
      [],
      'reached via the master',
    );
    for (const p of t.planes) await rogue(['ip', 'route', 'del', p.cidr]);
    // A WireGuard interface with a key the hub never saw: no handshake, no traffic.
    const rogueDir = path.join(dir, 'rogue');
    loadOrCreateNodeKeys(path.join(rogueDir, 'state'));
    const planes = new MinionPlanes({
      root: path.join(rogueDir, 'root'),
      stateDir: path.join(rogueDir, 'state'),
      mode: 'wireguard-go',
      run: rogue,
    });
    const fake = { ...fleet.enrollmentOf(kube[0]!), node: 'rogue' };
    fake.planes = fake.planes.map((p) => ({ ...p, address: p.address.replace(/\.\d+\/32$/, '.99/32') }));
    await planes.applyEnrollment(fake);
    const hubReached = await Promise.all(t.planes.map((p) => pingFrom(rogue, hubAddr(p.name), { deadlineSeconds: 2 })));
    assert.deepEqual(hubReached, [false, false, false]);
    for (const p of t.planes) {
      assert.equal((await wgStatus(rogue, p.name))!.peers[0]!.latestHandshake, 0, `no handshake on ${p.name}`);
    }
  });

  it('replacing a node: its old keys stop working, the new ones work, other nodes’ wg3 lists follow', async () => {
    const node = byName('w-2');
    const others = kube.filter((n) => n !== node);
    const [oldWg1, oldWg3] = [keyOf('w-2', 'wg1'), keyOf('w-2', 'wg3')];
    const told = await fleet.revoke('w-2');
    assert.deepEqual(told.sort(), others.map((n) => n.hostname).sort());
    assert.ok(
      !(await wgStatus(on('master'), 'wg1'))!.peers.some((p) => p.publicKey === oldWg1),
      'hub dropped the old key',
    );
    for (const k of others) {
      const peers = (await wgStatus(on(k.hostname), 'wg3'))!.peers;
      assert.ok(!peers.some((p) => p.publicKey === oldWg3), `${k.hostname} dropped the old key`);
    }
    // The old node, still holding the old keys, gets nowhere and no new handshake.
    const before = (await wgStatus(on('w-2'), 'wg1'))!.peers[0]!.latestHandshake;
    const [toHub, toMesh] = await Promise.all([
      pingFrom(on('w-2'), hubAddr('wg1'), { deadlineSeconds: 3 }),
      pingFrom(on('w-2'), addr(kube[0]!, 'wg3'), { deadlineSeconds: 3 }),
    ]);
    assert.deepEqual([toHub, toMesh], [false, false]);
    assert.equal((await wgStatus(on('w-2'), 'wg1'))!.peers[0]!.latestHandshake, before);

    await fleet.reenroll(node);
    const newWg3 = keyOf('w-2', 'wg3');
    assert.notEqual(newWg3, oldWg3);
    assert.equal(await pingFrom(on('w-2'), hubAddr('wg1')), true);
    const reached = await Promise.all(others.map((k) => limit(() => pingFrom(on(k.hostname), addr(node, 'wg3')))));
    assert.deepEqual(
      others.filter((_, i) => !reached[i]).map((k) => k.hostname),
      [],
      'reach the new w-2 over wg3',
    );
    for (const k of others) {
      const peer = (await wgStatus(on(k.hostname), 'wg3'))!.peers.find((p) => p.publicKey === newWg3);
      assert.ok(peer && peer.latestHandshake > 0, `${k.hostname} handshook with the new w-2 key`);
    }
  });

  it('the hub’s planes come back from its files after a restart, and it re-handshakes with the nodes itself', async () => {
    const count = (await wgStatus(on('master'), 'wg3'))!.peers.length;
    await fleet.restartHub(async () => assert.equal(await wgStatus(on('master'), 'wg3'), undefined));
    assert.equal((await wgStatus(on('master'), 'wg3'))!.peers.length, count);
    assert.equal(await pingFrom(on('cp-1'), hubAddr('wg1')), true);
  });
});
