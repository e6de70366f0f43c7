import { hostAddress, hostNumber, parseIpv4Network, type Ipv4Network } from '../net/ipv4.ts';
import type { Plane, Topology, TopologyNode } from '../topology/model.ts';

/** The hub sits on the master and takes the first host address of every plane. */
export const HUB_HOST = 1;

/**
 * The host number a node has on every plane: explicit planeHost, else its LAN
 * host number, so 10.10.0.41 becomes .41 on wg1, wg2 and wg3 alike and an
 * operator can tell a node's plane address from its LAN address.
 */
export function planeHostOf(node: TopologyNode, lan: Ipv4Network): number {
  if (node.role === 'master') return HUB_HOST;
  return node.planeHost ?? hostNumber(lan, node.ip);
}

export interface PlaneAddress {
  plane: Plane['name'];
  address: string;
  network: string;
}

/** The addresses a topology intends for a node, one per plane (IPAM persists them at enrollment). */
export function intendedPlaneAddresses(t: Topology, node: TopologyNode): PlaneAddress[] {
  const lan = parseIpv4Network(t.lan.cidr);
  const host = planeHostOf(node, lan);
  return t.planes.map((p) => ({
    plane: p.name,
    address: hostAddress(parseIpv4Network(p.cidr), host),
    network: p.cidr,
  }));
}

export function hubPlaneAddress(plane: Plane): string {
  return hostAddress(parseIpv4Network(plane.cidr), HUB_HOST);
}
