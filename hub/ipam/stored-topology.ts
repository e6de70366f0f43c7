import type { DatabaseSync } from 'node:sqlite';
import { hostNumber, parseIpv4Network } from '../../shared/net/ipv4.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { statement } from '../state/statements.ts';

/**
 * The topology as the hub's stored allocations say it is: each enrolled
 * node's `planeHost` is the host number it was given (the same on every
 * plane), whatever the topology file says now. Every renderer (plan,
 * firewall, PKI names) reads addresses through `planeHost`, so handing
 * them this topology makes them all use the stored addresses: a topology
 * edit never moves an address a node already has.
 */
export function topologyWithStoredAddresses(db: DatabaseSync, t: Topology): Topology {
  const first = t.planes[0];
  // A convergence database on its own (tests, benches) holds no allocations.
  const hasAllocations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'allocations'").get();
  if (!first || !hasAllocations) return t;
  const net = parseIpv4Network(first.cidr);
  const rows = statement(db, 'SELECT node, address FROM allocations WHERE plane = ?').all(first.name) as Array<{
    node: string;
    address: string;
  }>;
  const stored = new Map(rows.map((r) => [r.node, hostNumber(net, r.address)]));
  if (stored.size === 0) return t;
  return {
    ...t,
    nodes: t.nodes.map((n) =>
      n.role !== 'master' && stored.has(n.hostname) ? { ...n, planeHost: stored.get(n.hostname)! } : n,
    ),
  };
}
