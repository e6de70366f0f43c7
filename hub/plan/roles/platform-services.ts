import { directory, file, httpProbe, packages, service } from '../../../shared/tasks/builders.ts';
import type { TopologyNode } from '../../../shared/topology/model.ts';
import { renderGrafanaDatasource } from '../render/grafana.ts';
import { DASHBOARDS_DIR, renderDashboardProvider, renderHubDashboard } from '../render/grafana-dashboard.ts';
import { NFS_EXPORT_DIR, renderNfsExports } from '../render/nfs-exports.ts';
import {
  PROMETHEUS_PORT,
  renderPrometheusConfig,
  renderPrometheusDefaults,
  renderPrometheusTargets,
  TARGETS_FILE,
  wg2Address,
} from '../render/prometheus.ts';
import type { RoleContext } from './context.ts';

export function prometheus(ctx: RoleContext, node: TopologyNode): string {
  const url = `http://${wg2Address(ctx.t, node)}:${PROMETHEUS_PORT}`;
  const server = ctx.plan.add(node.hostname, 'prometheus', 'platform-services', [
    packages('packages', ['prometheus']),
    directory('targets-dir', '/etc/prometheus/targets'),
    file('config', '/etc/prometheus/prometheus.yml', renderPrometheusConfig(ctx.t)),
    file('targets', TARGETS_FILE, renderPrometheusTargets(ctx.t)),
    file('defaults', '/etc/default/prometheus', renderPrometheusDefaults(ctx.t, node)),
    service('service', 'prometheus', {
      restartOnChange: ['/etc/prometheus/prometheus.yml', '/etc/default/prometheus'],
    }),
  ]);
  return ctx.plan.add(
    node.hostname,
    'prometheus-ready',
    'platform-services',
    [httpProbe('ready', `${url}/-/ready`, { deadlineMs: 120_000 })],
    {
      deps: [server],
    },
  );
}

/** Grafana from the darksite (not in Debian), provisioned with the topology's prometheus. */
export function grafana(ctx: RoleContext, node: TopologyNode, deps: string[]): string {
  const ds = '/etc/grafana/provisioning/datasources/kubedos.yaml';
  const provider = '/etc/grafana/provisioning/dashboards/kubedos.yaml';
  const grafanaFile = { mode: 0o640, group: 'grafana' };
  const server = ctx.plan.add(
    node.hostname,
    'grafana',
    'platform-services',
    [
      packages('packages', ['grafana']),
      file('datasource', ds, renderGrafanaDatasource(ctx.t), grafanaFile),
      // The hub's dashboard (its /metrics, scraped by prometheus as job kubedos-hub).
      file('dashboard-provider', provider, renderDashboardProvider(), grafanaFile),
      directory('dashboards', DASHBOARDS_DIR, { mode: 0o750, owner: 'root', group: 'grafana' }),
      file('hub-dashboard', `${DASHBOARDS_DIR}/hub.json`, renderHubDashboard(ctx.t), grafanaFile),
      service('service', 'grafana-server', { restartOnChange: [ds, provider] }),
    ],
    { deps },
  );
  return ctx.plan.add(
    node.hostname,
    'grafana-ready',
    'platform-services',
    [httpProbe('health', 'http://127.0.0.1:3000/api/health', { deadlineMs: 120_000 })],
    {
      deps: [server],
    },
  );
}

/** The NFS server is the kernel's (nfsd): a container cannot serve NFS, so there the server states say so. */
const NFSD_IS_THE_KERNELS = 'the NFS server runs in the kernel (nfsd), which a container does not get';

export function nfsServer(ctx: RoleContext, node: TopologyNode): string {
  const kernel = { unavailableInContainer: NFSD_IS_THE_KERNELS };
  return ctx.plan.add(node.hostname, 'nfs-server', 'platform-services', [
    packages('packages', ['nfs-kernel-server']),
    directory('export-dir', NFS_EXPORT_DIR, { mode: 0o777 }),
    file('exports', '/etc/exports', renderNfsExports(ctx.t)),
    { ...service('service', 'nfs-server', { restartOnChange: ['/etc/exports'] }), ...kernel },
  ]);
}
