import { stringify } from 'yaml';
import type { Topology } from '../../../shared/topology/model.ts';

export const DASHBOARDS_DIR = '/var/lib/grafana/dashboards/kubedos';

/** Grafana's dashboard provider: the dashboards in DASHBOARDS_DIR, read-only in the UI. */
export function renderDashboardProvider(): string {
  return `# Written by the kubedos hub.\n${stringify({
    apiVersion: 1,
    providers: [
      {
        name: 'kubedos',
        folder: 'kubedos',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: DASHBOARDS_DIR },
      },
    ],
  })}`;
}

interface Panel {
  title: string;
  type: 'stat' | 'timeseries';
  /** PromQL, over the hub's own metrics (hub/metrics/hub-metrics.ts). */
  expr: string;
  legend?: string;
  unit?: string;
}

/** The hub's view of the platform, one row of stats and three graphs. */
export const HUB_PANELS: readonly Panel[] = [
  { title: 'Nodes connected', type: 'stat', expr: 'sum(kubedos_nodes{state="connected"})' },
  { title: 'Nodes lost', type: 'stat', expr: 'sum(kubedos_nodes{state="lost"})' },
  { title: 'Sessions', type: 'stat', expr: 'kubedos_sessions' },
  { title: 'Convergence runs failed', type: 'stat', expr: 'sum(kubedos_convergence_runs{state="failed"})' },
  {
    title: 'Heartbeat age by node',
    type: 'timeseries',
    expr: 'kubedos_node_heartbeat_age_seconds',
    legend: '{{node}}',
    unit: 's',
  },
  {
    title: 'Enrollments by result and reason (per minute)',
    type: 'timeseries',
    expr: 'sum by (result, reason) (rate(kubedos_enrollments_total[5m])) * 60',
    legend: '{{result}} {{reason}}',
  },
  {
    title: 'Tasks of the latest convergence run, by state',
    type: 'timeseries',
    expr: 'kubedos_convergence_tasks',
    legend: '{{state}}',
  },
];

/** A dashboard JSON as Grafana's file provisioning reads it (schemaVersion 39: Grafana 10 and 11). */
export function renderHubDashboard(t: Topology): string {
  const panels = HUB_PANELS.map((p, i) => {
    const stat = p.type === 'stat';
    const graphs = i - HUB_PANELS.filter((x) => x.type === 'stat').length;
    return {
      id: i + 1,
      title: p.title,
      type: p.type,
      datasource: { type: 'prometheus', uid: '${DS_PROMETHEUS}' },
      gridPos: stat ? { x: i * 6, y: 0, w: 6, h: 4 } : { x: 0, y: 4 + graphs * 8, w: 24, h: 8 },
      targets: [{ refId: 'A', expr: p.expr, ...(p.legend ? { legendFormat: p.legend } : {}) }],
      fieldConfig: { defaults: { ...(p.unit ? { unit: p.unit } : {}) }, overrides: [] },
      options: {},
    };
  });
  return `${JSON.stringify(
    {
      uid: `kubedos-hub-${t.name}`.slice(0, 40),
      title: `kubedos hub: ${t.name}`,
      tags: ['kubedos'],
      schemaVersion: 39,
      version: 1,
      editable: false,
      time: { from: 'now-6h', to: 'now' },
      refresh: '30s',
      templating: {
        list: [{ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus', hide: 2 }],
      },
      panels,
    },
    null,
    2,
  )}\n`;
}
