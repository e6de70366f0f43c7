import Table from 'cli-table3';
import type { NodeStatus__Output } from '../../proto/gen/kubedos/v1/NodeStatus.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { formatConvergeStatus, type ConvergeStatus } from '../converge/views.ts';

export function formatAge(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function ago(ms: number): string {
  const age = formatAge(ms);
  return age === 'now' ? age : `${age} ago`;
}

export function describeWindow(w: Window__Output, now: number): string {
  const scope = [w.scopeRole && `role ${w.scopeRole}`, w.scopeNodes.length > 0 && `nodes ${w.scopeNodes.join(',')}`]
    .filter(Boolean)
    .join(', ');
  if (w.closedAtMs) return `${w.id} closed (${w.closeReason}) ${ago(now - w.closedAtMs)}${scope ? `, ${scope}` : ''}`;
  return `${w.id} open, ${formatAge(w.expiresAtMs - now)} left, ${w.pendingNodes.length} pending${scope ? `, ${scope}` : ''}`;
}

/** One summary line, then a table with a row per node, in topology order. */
export function renderStatus(s: StatusResponse__Output): string {
  const sum = s.summary!;
  const windows =
    s.windows.length > 0 ? s.windows.map((w) => describeWindow(w, s.nowMs)).join('; ') : 'enrollment closed';
  const head = `${s.deployment}: ${sum.total} nodes: ${sum.connected} connected, ${sum.enrolled} enrolled, ${sum.expected} expected, ${sum.lost} lost | ${windows}`;
  const planes = [...new Set(s.nodes.flatMap((n) => n.planes.map((p) => p.plane)))].sort();
  const names = planes.length > 0 ? planes : ['wg1', 'wg2', 'wg3'];
  const table = new Table({
    head: ['node', 'role', 'state', ...names, 'heartbeat', 'kubernetes'],
    style: { head: [], border: [], compact: true },
  });
  for (const n of s.nodes) {
    const byPlane = new Map(n.planes.map((p) => [p.plane, p.address]));
    table.push([
      n.name,
      n.role,
      n.state,
      ...names.map((p) => byPlane.get(p) ?? '-'),
      n.lastHeartbeatMs ? ago(s.nowMs - n.lastHeartbeatMs) : '-',
      kubeSide(n.kubernetes),
    ]);
  }
  const apiLine = s.kubernetesError ? `kubernetes: not read: ${s.kubernetesError}\n` : '';
  const refused = s.nodes.flatMap((n) => n.refused.map((r) => `${n.name}: refused: ${r}\n`)).join('');
  // The wire message has the same fields as the engine's view; only its enum-like strings are wider.
  const convergence = s.convergence ? formatConvergeStatus(s.convergence as unknown as ConvergeStatus) : '';
  const problems = (s.hubProblems ?? []).map((p) => `HUB: ${p}\n`).join('');
  return `${head}\n${problems}${table.toString()}\n${refused}${apiLine}${convergence}`;
}

/** The node as the cluster's API sees it: "Ready v1.35.4", "NotReady (reason)", "no Node", or "-" (no kubelet, or not read). */
function kubeSide(k: NodeStatus__Output['kubernetes']): string {
  if (!k) return '-';
  if (!k.registered) return 'no Node';
  const state = k.ready ? 'Ready' : 'NotReady';
  return `${state}${k.unschedulable ? ',cordoned' : ''} ${k.kubeletVersion}${k.ready ? '' : ` (${k.reason.slice(0, 40)})`}`;
}
