/**
 * Who peers with whom, as a pure function of the topology and the enrolled
 * nodes' public keys. wg1 (management) and wg2 (metrics) are hub-and-spoke:
 * a node's only peer is the hub, and the hub allows each node its /32 only.
 * On wg1 a node may reach the hub alone. On wg2 the hub routes between
 * spokes (wg2 to wg2 only, see shared/firewall/render-hub-forward.ts) so the
 * prometheus node can scrape every node's exporter. wg3 (Kubernetes backplane) is a
 * full mesh among the Kubernetes nodes, so their traffic never hairpins
 * through the master; every node also keeps the hub as a wg3 peer.
 * Endpoints are LAN addresses from the topology.
 */
import { podSubnetOf, runsPods } from '../kubernetes/pod-subnets.ts';
import type { ConfigUpdate } from '../../proto/gen/kubedos/v1/ConfigUpdate.ts';
import type { PlanePeer } from '../../proto/gen/kubedos/v1/PlanePeer.ts';
import { parseIpv4Network } from '../net/ipv4.ts';
import { KUBERNETES_ROLES, type Plane, type PlaneName, type Topology, type TopologyNode } from '../topology/model.ts';
import { hubPlaneAddress } from './addressing.ts';
import type { WgPeerConfig } from './render-wg-config.ts';

/** Spokes keep their hub session alive, and the hub learns a restarted node's endpoint quickly. */
export const SPOKE_KEEPALIVE_SECONDS = 25;

/** The one plane on which the hub forwards between spokes (metrics scraping). */
export const ROUTED_PLANE: PlaneName = 'wg2';

export interface EnrolledPlane {
  plane: PlaneName;
  /** base64 Curve25519 public key */
  publicKey: string;
  /** the node's plane address, without prefix: "10.78.0.41" */
  address: string;
}

export interface EnrolledNode {
  name: string;
  planes: EnrolledPlane[];
}

/** The hub's own public keys, base64, per plane. */
export type HubPublicKeys = Record<PlaneName, string>;

export function topologyNode(t: Topology, name: string): TopologyNode {
  const node = t.nodes.find((n) => n.hostname === name);
  if (!node) throw new Error(`node ${name} is not in topology ${t.name}`);
  return node;
}

export function masterNode(t: Topology): TopologyNode {
  const m = t.nodes.find((n) => n.role === 'master');
  if (!m) throw new Error(`topology ${t.name} has no master`);
  return m;
}

export function planeOf(t: Topology, plane: PlaneName): Plane {
  const p = t.planes.find((x) => x.name === plane);
  if (!p) throw new Error(`topology ${t.name} has no plane ${plane}`);
  return p;
}

export function isKubernetesNode(node: TopologyNode): boolean {
  return KUBERNETES_ROLES.includes(node.role);
}

/** An address with the plane's prefix, "10.78.0.41/24", for the interface's Address line. */
export function interfaceAddress(t: Topology, plane: PlaneName, address: string): string {
  return `${address}/${parseIpv4Network(planeOf(t, plane).cidr).prefix}`;
}

export function hubInterfaceAddress(t: Topology, plane: PlaneName): string {
  return interfaceAddress(t, plane, hubPlaneAddress(planeOf(t, plane)));
}

export function endpointOf(t: Topology, node: TopologyNode, plane: PlaneName): string {
  return `${node.ip}:${planeOf(t, plane).port}`;
}

/** The hub's peers on one plane: every enrolled node, allowed its /32 only. */
export function hubPeers(t: Topology, enrolled: readonly EnrolledNode[], plane: PlaneName): WgPeerConfig[] {
  return enrolled.flatMap((n) => {
    const p = n.planes.find((x) => x.plane === plane);
    if (!p) return [];
    const node = topologyNode(t, n.name);
    return [
      { name: n.name, publicKey: p.publicKey, allowedIps: [`${p.address}/32`], endpoint: endpointOf(t, node, plane) },
    ];
  });
}

/** A node's hub peer: the hub's /32, or on the routed plane the whole plane (the hub forwards there). */
export function hubPeer(h: {
  plane: string;
  name: string;
  publicKey: string;
  hubAddress: string;
  network: string;
  endpoint: string;
}): WgPeerConfig {
  return {
    name: h.name,
    publicKey: h.publicKey,
    allowedIps: h.plane === ROUTED_PLANE ? [h.network] : [`${h.hubAddress}/32`],
    endpoint: h.endpoint,
    persistentKeepalive: SPOKE_KEEPALIVE_SECONDS,
  };
}

/** One node's peers on one plane: the hub, and on wg3 every other enrolled Kubernetes node when it is one. */
export function nodePeers(
  t: Topology,
  enrolled: readonly EnrolledNode[],
  nodeName: string,
  plane: PlaneName,
  hubKeys: HubPublicKeys,
): WgPeerConfig[] {
  const self = topologyNode(t, nodeName);
  const master = masterNode(t);
  const hub = hubPeer({
    plane,
    name: master.hostname,
    publicKey: hubKeys[plane],
    hubAddress: hubPlaneAddress(planeOf(t, plane)),
    network: planeOf(t, plane).cidr,
    endpoint: endpointOf(t, master, plane),
  });
  if (plane !== 'wg3' || !isKubernetesNode(self)) return [hub];
  const mesh = enrolled
    .filter((n) => n.name !== nodeName && isKubernetesNode(topologyNode(t, n.name)))
    .flatMap((n) => {
      const p = n.planes.find((x) => x.plane === 'wg3');
      if (!p) return [];
      const node = topologyNode(t, n.name);
      // Between two nodes that run pods, each one's pod subnet goes over wg3 too: the pod network is the backplane.
      const pods = runsPods(self) && runsPods(node) ? [podSubnetOf(t, node)] : [];
      return [
        {
          name: n.name,
          publicKey: p.publicKey,
          allowedIps: [`${p.address}/32`, ...pods],
          endpoint: endpointOf(t, node, 'wg3'),
        },
      ];
    });
  return [hub, ...mesh];
}

/**
 * The ConfigUpdate the hub sends one node: the complete peer list of every
 * plane (the minion makes its interfaces match it exactly), and where its
 * session should go next (the hub's wg1 address).
 */
export function configUpdateFor(
  t: Topology,
  enrolled: readonly EnrolledNode[],
  nodeName: string,
  hubKeys: HubPublicKeys,
  revision: number,
): ConfigUpdate {
  return {
    revision,
    sessionEndpoint: `${hubPlaneAddress(planeOf(t, 'wg1'))}:${t.hub.port}`,
    planes: t.planes.map((p) => ({
      plane: p.name,
      peers: nodePeers(t, enrolled, nodeName, p.name, hubKeys).map(toPlanePeer),
    })),
  };
}

/** The nodes whose wg3 peer list changes when `changed` joins, is replaced or leaves. */
export function wg3Affected(t: Topology, enrolled: readonly EnrolledNode[], changed: string): string[] {
  if (!isKubernetesNode(topologyNode(t, changed))) return [];
  return enrolled.map((n) => n.name).filter((n) => n !== changed && isKubernetesNode(topologyNode(t, n)));
}

export function toPlanePeer(p: WgPeerConfig): PlanePeer {
  return {
    node: p.name ?? '',
    publicKey: Buffer.from(p.publicKey, 'base64'),
    endpoint: p.endpoint ?? '',
    allowedIps: p.allowedIps,
    persistentKeepalive: p.persistentKeepalive ?? 0,
  };
}

export function fromPlanePeer(p: PlanePeer): WgPeerConfig {
  const key = typeof p.publicKey === 'string' ? p.publicKey : Buffer.from(p.publicKey ?? []).toString('base64');
  const peer: WgPeerConfig = { publicKey: key, allowedIps: p.allowedIps ?? [] };
  if (p.node) peer.name = p.node;
  if (p.endpoint) peer.endpoint = p.endpoint;
  if (p.persistentKeepalive) peer.persistentKeepalive = p.persistentKeepalive;
  return peer;
}
