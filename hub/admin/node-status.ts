import type { DatabaseSync } from 'node:sqlite';
import type { NodeStatus } from '../../proto/gen/kubedos/v1/NodeStatus.ts';
import type { StatusSummary } from '../../proto/gen/kubedos/v1/StatusSummary.ts';
import { listEnrollments } from '../enrollment/enrollments.ts';
import { listInventory } from '../state/inventory.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { statement } from '../state/statements.ts';
import { refusedLanInterface } from '../../shared/net/lan-interface.ts';

export type NodeState = 'expected' | 'enrolled' | 'connected' | 'lost';

/** A session whose heartbeats stop for this many intervals counts as lost, even before TCP notices. */
export const LOST_AFTER_HEARTBEATS = 3;

/**
 * Each node's state, in topology order: expected (never enrolled, or
 * replaced), enrolled (no session yet), connected, or lost (had a session,
 * has none now, or its heartbeats stopped).
 */
export function nodeStatuses(
  db: DatabaseSync,
  registry: SessionRegistry,
  heartbeatIntervalMs: number,
  now: number,
): { nodes: NodeStatus[]; summary: StatusSummary } {
  const enrollments = new Map(listEnrollments(db).map((e) => [e.node, e]));
  const sessions = new Map(
    (
      statement(db, 'SELECT node, connected_at, last_heartbeat, peer FROM sessions').all() as Array<{
        node: string;
        connected_at: number | null;
        last_heartbeat: number | null;
        peer: string | null;
      }>
    ).map((r) => [r.node, r]),
  );
  const allocations = new Map<string, Array<{ plane: string; address: string }>>();
  for (const r of statement(db, 'SELECT node, plane, address FROM allocations ORDER BY plane').all() as Array<{
    node: string;
    plane: string;
    address: string;
  }>) {
    const list = allocations.get(r.node) ?? [];
    list.push({ plane: r.plane, address: r.address });
    allocations.set(r.node, list);
  }
  const summary: StatusSummary = { expected: 0, enrolled: 0, connected: 0, lost: 0, total: 0 };
  const nodes = listInventory(db).map((inv): NodeStatus => {
    const enrollment = enrollments.get(inv.node);
    const live = registry.get(inv.node);
    const stored = sessions.get(inv.node);
    let state: NodeState = 'expected';
    if (enrollment) {
      if (live) state = now - live.lastHeartbeat > LOST_AFTER_HEARTBEATS * heartbeatIntervalMs ? 'lost' : 'connected';
      else state = stored?.connected_at && stored.connected_at >= enrollment.enrolledAt ? 'lost' : 'enrolled';
    }
    summary[state]! += 1;
    summary.total! += 1;
    return {
      name: inv.node,
      role: inv.role,
      state,
      planes: enrollment ? (allocations.get(inv.node) ?? []) : [],
      lastHeartbeatMs: live?.lastHeartbeat ?? stored?.last_heartbeat ?? 0,
      enrolledAtMs: enrollment?.enrolledAt ?? 0,
      connectedSinceMs: live?.connectedAt ?? 0,
      lanIp: inv.lanIp,
      vmid: inv.vmid,
      generation: inv.generation,
      peer: live?.peer ?? '',
      contractVersion: live?.contract ?? 0,
      refused: [refusedLanInterface(live?.facts, inv.lanIp), unknownKeyKnock(registry.knock(inv.node), now)].filter(
        (x) => x !== undefined,
      ),
    };
  });
  return { nodes, summary };
}

/** What `hubctl status` says of a node that knocks with keys this hub does not know. */
function unknownKeyKnock(knock: { peer: string; at: number } | undefined, now: number): string | undefined {
  if (!knock) return undefined;
  return (
    `a session signed with keys this hub does not know (from ${knock.peer}, ${Math.round((now - knock.at) / 1000)} s ago): ` +
    'the node keeps them and knocks again; if the hub lost its state, restore its newest backup (docs/operator.md)'
  );
}
