/**
 * Each Kubernetes node's pod subnet: the /24 of the topology's pod CIDR
 * numbered by the node's plane host (10.10.0.41 is .41 on every plane, and
 * its pods live in 10.244.41.0/24). Fixed by the topology, so the node's
 * CNI config, its wg3 peers' allowed IPs and the firewall all agree
 * without a daemon or the API, and a rebuilt node gets its subnet back.
 */
import { planeHostOf } from '../planes/addressing.ts';
import { intToIpv4, parseIpv4Network } from '../net/ipv4.ts';
import type { Topology, TopologyNode } from '../topology/model.ts';

export const POD_SUBNET_PREFIX = 24;
/** The bridge the CNI puts a node's pods on (its address is their gateway). */
export const POD_BRIDGE = 'cni0';

/** The nodes that run a kubelet, and so pods: control planes and workers. */
export function runsPods(node: TopologyNode): boolean {
  return node.role === 'cp' || node.role === 'worker';
}

export function podSubnetOf(t: Topology, node: TopologyNode): string {
  const pods = parseIpv4Network(t.kubernetes.podCidr);
  const host = planeHostOf(node, parseIpv4Network(t.lan.cidr));
  const size = 2 ** (32 - POD_SUBNET_PREFIX);
  if (pods.prefix > POD_SUBNET_PREFIX || (host + 1) * size > pods.size)
    throw new Error(`kubernetes.podCidr ${t.kubernetes.podCidr} has no /${POD_SUBNET_PREFIX} numbered ${host}`);
  return `${intToIpv4(pods.base + host * size)}/${POD_SUBNET_PREFIX}`;
}

/** Why the topology's pod CIDR cannot give every Kubernetes node its subnet, or undefined when it can. */
export function podSubnetProblem(t: Topology): string | undefined {
  const lan = parseIpv4Network(t.lan.cidr);
  const highest = t.nodes
    .filter(runsPods)
    .map((node) => ({ node, host: planeHostOf(node, lan) }))
    .sort((a, b) => b.host - a.host)[0];
  if (!highest) return undefined;
  try {
    podSubnetOf(t, highest.node);
    return undefined;
  } catch {
    const prefix = 32 - Math.ceil(Math.log2((highest.host + 1) * 2 ** (32 - POD_SUBNET_PREFIX)));
    return `${t.kubernetes.podCidr} is too small: every Kubernetes node gets the /${POD_SUBNET_PREFIX} numbered by its plane host, and ${highest.node.hostname}'s is ${highest.host}; give a /${prefix} or larger`;
  }
}
