import { file, packages, service, tcpProbe } from '../../../shared/tasks/builders.ts';
import type { TopologyNode } from '../../../shared/topology/model.ts';
import { renderHaproxy } from '../render/haproxy.ts';
import { renderKeepalived } from '../render/keepalived.ts';
import { API_PORT } from '../render/kubeadm.ts';
import type { RoleContext } from './context.ts';

const HAPROXY_CFG = '/etc/haproxy/haproxy.cfg';
const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';

export function loadBalancer(ctx: RoleContext, node: TopologyNode, preflight: string): string[] {
  const haproxy = ctx.plan.add(
    node.hostname,
    'haproxy',
    'load-balancers',
    [
      packages('packages', ['haproxy']),
      file('config', HAPROXY_CFG, renderHaproxy(ctx.t)),
      service('service', 'haproxy', { restartOnChange: [HAPROXY_CFG] }),
    ],
    { deps: [preflight] },
  );
  const keepalived = ctx.plan.add(
    node.hostname,
    'keepalived',
    'load-balancers',
    [
      packages('packages', ['keepalived']),
      file(
        'config',
        KEEPALIVED_CONF,
        renderKeepalived(ctx.t, node, ctx.options.lanInterfaces[node.hostname] ?? ctx.options.lanInterface),
      ),
      service('service', 'keepalived', { restartOnChange: [KEEPALIVED_CONF] }),
    ],
    { deps: [haproxy] },
  );
  return [haproxy, keepalived];
}

/** The gate: the API VIP answers on 6443 (some load balancer holds it and its haproxy listens). */
export function apiVipGate(ctx: RoleContext, lbTasks: string[]): string | undefined {
  const first = ctx.nodesOf('lb')[0];
  // No load balancer (a non-HA lab): the API is the control plane's own address, nothing to wait for.
  if (!first) return undefined;
  return ctx.plan.add(
    first.hostname,
    'api-vip',
    'load-balancers',
    [tcpProbe('vip', `${ctx.t.apiVip}:${API_PORT}`, { deadlineMs: 60_000 })],
    {
      deps: lbTasks,
      timeoutMs: 90_000,
    },
  );
}
