import assert from 'node:assert/strict';
import { generateWireguardKeyPair, toBase64 } from '../../shared/keys/wireguard.ts';
import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import {
  configUpdateFor,
  fromPlanePeer,
  hubPeers,
  nodePeers,
  wg3Affected,
  type EnrolledNode,
  type HubPublicKeys,
} from '../../shared/planes/peer-lists.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { KUBERNETES_ROLES } from '../../shared/topology/model.ts';

const t = loadTopology();
const pub = () => toBase64(generateWireguardKeyPair().publicKey);
const hubKeys: HubPublicKeys = { wg1: pub(), wg2: pub(), wg3: pub() };
const enrolled: EnrolledNode[] = t.nodes
  .filter((n) => n.role !== 'master')
  .map((n) => ({
    name: n.hostname,
    planes: intendedPlaneAddresses(t, n).map((a) => ({ plane: a.plane, publicKey: pub(), address: a.address })),
  }));
const keyOf = (node: string, plane: string) =>
  enrolled.find((e) => e.name === node)!.planes.find((p) => p.plane === plane)!.publicKey;
const kube = t.nodes.filter((n) => KUBERNETES_ROLES.includes(n.role)).map((n) => n.hostname);

describe('plane peer lists', () => {
  it('the hub peers with every enrolled node on every plane, each allowed its /32, endpoint on the LAN', () => {
    for (const plane of ['wg1', 'wg2', 'wg3'] as const) {
      const peers = hubPeers(t, enrolled, plane);
      assert.equal(peers.length, 15);
      const w1 = peers.find((p) => p.name === 'w-1')!;
      assert.equal(w1.publicKey, keyOf('w-1', plane));
      assert.deepEqual(w1.allowedIps, [`${{ wg1: '10.78', wg2: '10.79', wg3: '10.80' }[plane]}.0.41/32`]);
      assert.equal(w1.endpoint, `10.10.0.41:${{ wg1: 51821, wg2: 51822, wg3: 51823 }[plane]}`);
    }
  });

  it('wg1 is hub-and-spoke: a node has only the hub, allowed the hub address alone', () => {
    const peers = nodePeers(t, enrolled, 'w-1', 'wg1', hubKeys);
    assert.deepEqual(peers, [
      {
        name: 'master',
        publicKey: hubKeys.wg1,
        allowedIps: ['10.78.0.1/32'],
        endpoint: '10.10.0.10:51821',
        persistentKeepalive: 25,
      },
    ]);
  });

  it('wg2 is hub-and-spoke with the hub routing the metrics plane', () => {
    const peers = nodePeers(t, enrolled, 'prometheus', 'wg2', hubKeys);
    assert.equal(peers.length, 1);
    assert.deepEqual(peers[0]!.allowedIps, ['10.79.0.0/24']);
  });

  it('wg3 is a full mesh among Kubernetes nodes, plus the hub; others only have the hub', () => {
    for (const name of kube) {
      const peers = nodePeers(t, enrolled, name, 'wg3', hubKeys);
      assert.equal(peers.length, kube.length, `${name}: hub + ${kube.length - 1} others`);
      assert.ok(!peers.some((p) => p.name === name));
      const others = peers.filter((p) => p.name !== 'master');
      assert.deepEqual(others.map((p) => p.name).sort(), kube.filter((k) => k !== name).sort());
      const self = t.nodes.find((n) => n.hostname === name)!;
      const runsPods = (role: string) => role === 'cp' || role === 'worker';
      for (const p of others) {
        assert.equal(p.publicKey, keyOf(p.name!, 'wg3'));
        const peer = t.nodes.find((n) => n.hostname === p.name)!;
        const host = peer.ip.split('.')[3];
        // Between two nodes that run pods, the peer's pod subnet rides wg3 too; etcd and lb nodes get none.
        assert.deepEqual(
          p.allowedIps,
          runsPods(self.role) && runsPods(peer.role)
            ? [`10.80.0.${host}/32`, `10.244.${host}.0/24`]
            : [`10.80.0.${host}/32`],
          `${name} -> ${p.name}`,
        );
      }
    }
    assert.deepEqual(
      nodePeers(t, enrolled, 'grafana', 'wg3', hubKeys).map((p) => p.name),
      ['master'],
    );
  });

  it('only enrolled nodes appear in the mesh', () => {
    const partial = enrolled.filter((e) => e.name !== 'w-3');
    assert.ok(!nodePeers(t, partial, 'w-1', 'wg3', hubKeys).some((p) => p.name === 'w-3'));
  });

  it('a ConfigUpdate carries every plane and the wg1 session endpoint, and round-trips to peers', () => {
    const u = configUpdateFor(t, enrolled, 'cp-1', hubKeys, 7);
    assert.equal(u.revision, 7);
    assert.equal(u.sessionEndpoint, '10.78.0.1:7443');
    assert.deepEqual(
      u.planes!.map((p) => p.plane),
      ['wg1', 'wg2', 'wg3'],
    );
    const wg3 = u.planes!.find((p) => p.plane === 'wg3')!.peers!.map(fromPlanePeer);
    assert.deepEqual(wg3, nodePeers(t, enrolled, 'cp-1', 'wg3', hubKeys));
  });

  it('a replaced Kubernetes node changes every other Kubernetes node’s wg3 list, and nobody else’s', () => {
    assert.deepEqual(wg3Affected(t, enrolled, 'w-2').sort(), kube.filter((k) => k !== 'w-2').sort());
    assert.deepEqual(wg3Affected(t, enrolled, 'grafana'), []);
  });
});
