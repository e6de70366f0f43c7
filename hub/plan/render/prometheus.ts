import { intendedPlaneAddresses } from '../../../shared/planes/addressing.ts';
import { masterNode } from '../../../shared/planes/peer-lists.ts';
import { hubMetricsAddress } from '../../metrics/metrics-address.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';

export const NODE_EXPORTER_PORT = 9100;
export const PROMETHEUS_PORT = 9090;
export const TARGETS_FILE = '/etc/prometheus/targets/nodes.json';

export function wg2Address(t: Topology, node: TopologyNode): string {
  const a = intendedPlaneAddresses(t, node).find((p) => p.plane === 'wg2');
  if (!a) throw new Error('topology has no wg2 plane');
  return a.address;
}

/** Every node runs a minion, the master (beside the hub) included, so every node runs an exporter. */
export function minionNodes(t: Topology): TopologyNode[] {
  return t.nodes;
}

/** /etc/default/prometheus-node-exporter: the exporter listens on wg2 only, never on the LAN. */
export function renderNodeExporterDefaults(t: Topology, node: TopologyNode): string {
  return `# Written by the kubedos hub.\nARGS="--web.listen-address=${wg2Address(t, node)}:${NODE_EXPORTER_PORT}"\n`;
}

/** file_sd targets: every node's exporter on its wg2 address, labelled with node and role. */
export function renderPrometheusTargets(t: Topology): string {
  const groups = minionNodes(t).map((n) => ({
    targets: [`${wg2Address(t, n)}:${NODE_EXPORTER_PORT}`],
    labels: { node: n.hostname, role: n.role },
  }));
  return `${JSON.stringify(groups, null, 2)}\n`;
}

export function renderPrometheusConfig(t: Topology): string {
  return `# Written by the kubedos hub.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
  external_labels:
    deployment: ${JSON.stringify(t.name)}

scrape_configs:
  - job_name: node
    file_sd_configs:
      - files: [${JSON.stringify(TARGETS_FILE)}]
        refresh_interval: 1m
  - job_name: kubedos-hub
    static_configs:
      - targets: [${JSON.stringify(hubMetricsAddress(t))}]
        labels:
          node: ${JSON.stringify(masterNode(t).hostname)}
`;
}

export function renderPrometheusDefaults(t: Topology, node: TopologyNode): string {
  return `# Written by the kubedos hub.\nARGS="--web.listen-address=${wg2Address(t, node)}:${PROMETHEUS_PORT}"\n`;
}
