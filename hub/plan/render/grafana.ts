import { stringify } from 'yaml';
import type { Topology } from '../../../shared/topology/model.ts';
import { PROMETHEUS_PORT, wg2Address } from './prometheus.ts';

/** Grafana's provisioned datasource: the topology's prometheus, over wg2. */
export function renderGrafanaDatasource(t: Topology): string {
  const prom = t.nodes.find((n) => n.role === 'prometheus');
  if (!prom) throw new Error('topology has no prometheus node');
  return `# Written by the kubedos hub.\n${stringify({
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        type: 'prometheus',
        access: 'proxy',
        url: `http://${wg2Address(t, prom)}:${PROMETHEUS_PORT}`,
        isDefault: true,
        editable: false,
      },
    ],
  })}`;
}
