/**
 * The pod network: no overlay and no daemon. Each node's pods sit on its
 * bridge (cni0) in the node's own /24 (shared/kubernetes/pod-subnets.ts),
 * addressed by host-local IPAM; the other nodes' /24s are routed over wg3,
 * whose peers carry them as allowed IPs, so pod traffic between nodes is
 * WireGuard-encrypted on the backplane like everything else there. The
 * plugins are Debian's containernetworking-plugins (bridge, host-local,
 * portmap, loopback), so there is no CNI image to build or import.
 */
import { POD_BRIDGE, podSubnetOf } from '../../../shared/kubernetes/pod-subnets.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';

export const CNI_PACKAGE = 'containernetworking-plugins';
/** Where Debian installs the plugins (containerd's default, /opt/cni/bin, is upstream's). */
export const CNI_BIN_DIR = '/usr/lib/cni';
export const CNI_CONFIG = '/etc/cni/net.d/10-kubedos.conflist';

export function renderCniConfig(t: Topology, node: TopologyNode): string {
  const conf = {
    cniVersion: '1.0.0',
    name: 'kubedos',
    plugins: [
      {
        type: 'bridge',
        bridge: POD_BRIDGE,
        isGateway: true,
        hairpinMode: true,
        // Pod to pod keeps its address across nodes; kube-proxy masquerades what leaves for a Service.
        ipMasq: false,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: podSubnetOf(t, node) }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return JSON.stringify(conf, null, 2) + '\n';
}
