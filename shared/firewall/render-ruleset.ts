/**
 * The per-role nftables ruleset, rendered by the hub and applied by the
 * minion (which checks it with `nft -c` first). Input only: default drop,
 * established traffic, the WireGuard ports, then per-plane services:
 * SSH only on wg1, node exporter only on wg2, Kubernetes traffic on wg3 with
 * etcd restricted to control planes and etcd members. The table is replaced
 * in one transaction (declare, delete, define), so there is never a moment
 * without rules, and `ct state established` keeps the live session open.
 */
import { intendedPlaneAddresses, hubPlaneAddress } from '../planes/addressing.ts';
import { masterNode, planeOf, topologyNode } from '../planes/peer-lists.ts';
import { KUBERNETES_ROLES, type Role, type Topology, type TopologyNode } from '../topology/model.ts';
import { renderDropChainTable } from './drop-chain-table.ts';
import { PORTS } from './ports.ts';
import { POD_BRIDGE, podSubnetOf } from '../kubernetes/pod-subnets.ts';
import { apiHost } from '../kubernetes/api-host.ts';

export const FIREWALL_TABLE = 'kubedos';
/** The node's LAN interface name; the netns substrate and the ISO both call it eth0. */
export const DEFAULT_LAN_INTERFACE = 'eth0';

export interface RulesetOptions {
  lanInterface?: string;
  /** Where sessions to the hub go; default: the master's LAN address and the hub's wg1 address. */
  hubAddresses?: string[];
}

export function renderRuleset(t: Topology, nodeName: string, opts: RulesetOptions = {}): string {
  const node = topologyNode(t, nodeName);
  const lan = opts.lanInterface ?? DEFAULT_LAN_INTERFACE;
  const wgPorts = t.planes.map((p) => p.port).join(', ');
  const rules = [
    'ct state established,related accept',
    ...(node.role === 'master' ? [] : [sessionRule(t, opts)]),
    'ct state invalid drop',
    'iif "lo" accept',
    ...ownPodRules(t, node),
    // A plane address answers only on its own plane: never from the LAN (weak host model) or another plane.
    ...t.planes.map((p) => `ip daddr ${p.cidr} iifname != "${p.name}" drop`),
    'meta l4proto icmp icmp type { echo-request, destination-unreachable, time-exceeded } accept',
    `iifname "${lan}" udp dport { ${wgPorts} } accept`,
    // SSH over wg1 comes from the hub; the master (the hub's own node) takes it on the LAN instead.
    ...(node.role === 'master' ? [] : [`iifname "wg1" tcp dport ${PORTS.ssh} accept`]),
    `iifname "wg2" ip saddr { ${scrapers(t).join(', ')} } tcp dport ${PORTS.nodeExporter} accept`,
    ...roleRules(t, node, lan),
  ];
  return renderDropChainTable(FIREWALL_TABLE, 'input', rules);
}

/**
 * The minion's session to the hub survives the first ruleset even though
 * conntrack only starts tracking when that ruleset loads: a connection
 * picked up mid-stream is "new" until both directions are seen, and the
 * hub's next segment would be dropped. Segments from the hub's listener
 * without SYN can only belong to a connection this node opened, so they
 * are accepted; a spoofer cannot open anything with them.
 */
function sessionRule(t: Topology, opts: RulesetOptions): string {
  const hubs = opts.hubAddresses ?? [masterNode(t).ip, hubPlaneAddress(planeOf(t, 'wg1'))];
  return `ip saddr { ${hubs.join(', ')} } tcp sport ${t.hub.port} tcp flags & syn == 0 accept`;
}

/** Who may scrape node exporters over wg2: the prometheus nodes and the hub. */
function scrapers(t: Topology): string[] {
  const prometheus = t.nodes
    .filter((n) => n.role === 'prometheus')
    .map((n) => intendedPlaneAddresses(t, n).find((a) => a.plane === 'wg2')!.address);
  return [hubPlaneAddress(planeOf(t, 'wg2')), ...prometheus];
}

/**
 * A control plane's own pods reach its API from the pod bridge (cni0), with
 * its wg3 address as the kubernetes Service's endpoint: admitted before the
 * rule that keeps a plane address to its own plane.
 */
function ownPodRules(t: Topology, node: TopologyNode): string[] {
  if (node.role !== 'cp') return [];
  return [`iifname "${POD_BRIDGE}" ip saddr ${podSubnetOf(t, node)} tcp dport ${PORTS.kubeApi} accept`];
}

function planeAddresses(t: Topology, plane: 'wg2' | 'wg3', roles: readonly Role[]): string[] {
  return t.nodes
    .filter((n) => roles.includes(n.role))
    .map((n) => intendedPlaneAddresses(t, n).find((a) => a.plane === plane)!.address);
}

const wg2Addresses = (t: Topology, roles: readonly Role[]) => planeAddresses(t, 'wg2', roles);
const wg3Addresses = (t: Topology, roles: readonly Role[]) => planeAddresses(t, 'wg3', roles);

function roleRules(t: Topology, node: TopologyNode, lan: string): string[] {
  // The backplane is the Kubernetes nodes' own: the hub holds a wg3 address too, but none of these is for it.
  const kubeNodes = `ip saddr { ${wg3Addresses(t, KUBERNETES_ROLES).join(', ')} }`;
  const kube = [`iifname "wg3" ${kubeNodes} tcp dport ${PORTS.kubelet} accept`];
  switch (node.role) {
    case 'master': {
      const wg1Hub = hubPlaneAddress(planeOf(t, 'wg1'));
      // Enrollment on the LAN; sessions on the hub's wg1 address (and on the LAN as the documented fallback);
      // SSH on the LAN too: the master is where an operator comes in before there is a wg1 to come in on.
      return [
        `iifname "${lan}" tcp dport ${PORTS.ssh} accept`,
        `iifname "${lan}" tcp dport ${t.hub.port} accept`,
        `iifname "wg1" ip daddr ${wg1Hub} tcp dport ${t.hub.port} accept`,
        // Time for the nodes (chrony), from the master's wg1 address.
        `iifname "wg1" ip daddr ${wg1Hub} udp dport ${PORTS.ntp} accept`,
        // The hub's metrics, on its wg2 address, for the platform's prometheus.
        ...(t.nodes.some((n) => n.role === 'prometheus')
          ? [
              `iifname "wg2" ip saddr { ${wg2Addresses(t, ['prometheus']).join(', ')} } tcp dport ${PORTS.hubMetrics} accept`,
            ]
          : []),
      ];
    }
    case 'etcd': {
      const peers = wg3Addresses(t, ['etcd', 'cp']);
      return [
        `iifname "wg3" ip saddr { ${peers.join(', ')} } tcp dport { ${PORTS.etcdClient}, ${PORTS.etcdPeer} } accept`,
        ...kube,
      ];
    }
    case 'cp':
      return [
        `iifname "wg3" ${kubeNodes} tcp dport ${PORTS.kubeApi} accept`,
        // No load balancer (a non-HA lab): the API is this control plane's own LAN address, as kubeconfigs name it.
        ...(apiHost(t) === node.ip ? [`iifname "${lan}" tcp dport ${PORTS.kubeApi} accept`] : []),
        // Pods on other nodes reach the API (the kubernetes Service) over wg3, from their pod addresses.
        `iifname "wg3" ip saddr ${t.kubernetes.podCidr} tcp dport ${PORTS.kubeApi} accept`,
        ...kube,
      ];
    case 'lb':
      // The API VIP lives on the LAN; keepalived speaks VRRP (protocol 112) between the load balancers.
      return [
        `iifname "${lan}" tcp dport ${PORTS.kubeApi} accept`,
        `iifname "${lan}" ip saddr { ${t.nodes
          .filter((n) => n.role === 'lb')
          .map((n) => n.ip)
          .join(', ')} } ip protocol vrrp accept`,
        ...kube,
      ];
    case 'worker':
      return kube;
    case 'prometheus': {
      // Prometheus listens on its wg2 address; grafana (its one client) and the hub reach it over wg2.
      const clients = [hubPlaneAddress(planeOf(t, 'wg2')), ...wg2Addresses(t, ['grafana'])];
      return [`iifname "wg2" ip saddr { ${clients.join(', ')} } tcp dport ${PORTS.prometheus} accept`];
    }
    case 'grafana':
      return [`iifname "${lan}" tcp dport ${PORTS.grafana} accept`];
    case 'storage': {
      // Storage is not on the wg3 mesh: the Kubernetes nodes that mount volumes reach NFS on the LAN, and only they.
      const clients = t.nodes.filter((n) => n.role === 'cp' || n.role === 'worker').map((n) => n.ip);
      return [`iifname "${lan}" ip saddr { ${clients.join(', ')} } tcp dport ${PORTS.nfs} accept`];
    }
  }
}
