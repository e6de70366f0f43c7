import type { DatabaseSync } from 'node:sqlite';
import { hostAddress, isUsableHost, parseIpv4Network } from '../../shared/net/ipv4.ts';
import { HUB_HOST } from '../../shared/planes/addressing.ts';
import type { Plane } from '../../shared/topology/model.ts';
import type { InventoryNode } from '../state/inventory.ts';
import { statement } from '../state/statements.ts';

export interface PlaneAllocation {
  plane: Plane['name'];
  address: string; // without prefix length
  network: string;
}

/** An allocation that cannot be made; the message says which address and who holds it. */
export class AllocationError extends Error {
  readonly kind: 'conflict' | 'exhausted';
  constructor(kind: 'conflict' | 'exhausted', message: string) {
    super(message);
    this.kind = kind;
  }
}

/**
 * Returns the node's /32 on every plane, allocating on first use. Deterministic:
 * the address comes from the node's plane host number in the topology, and
 * once stored it is the node's for good (hub restarts, re-enrollment and
 * `hubctl replace` all get the same address back). Must run inside the
 * caller's transaction so a conflict check and its insert are atomic.
 */
export function allocatePlaneAddresses(
  db: DatabaseSync,
  planes: Plane[],
  node: InventoryNode,
  now: number,
): PlaneAllocation[] {
  const existing = statement(db, 'SELECT plane, address FROM allocations WHERE node = ?').all(node.node) as Array<{
    plane: string;
    address: string;
  }>;
  const held = new Map(existing.map((r) => [r.plane, r.address]));
  const insert = statement(db, 'INSERT INTO allocations (plane, address, node, allocated_at) VALUES (?, ?, ?, ?)');
  const holder = statement(db, 'SELECT node FROM allocations WHERE plane = ? AND address = ?');
  return planes.map((plane) => {
    const net = parseIpv4Network(plane.cidr);
    const kept = held.get(plane.name);
    if (kept) return { plane: plane.name, address: kept, network: plane.cidr };
    const host = node.planeHost;
    if (!isUsableHost(net, host)) {
      throw new AllocationError(
        'exhausted',
        `plane ${plane.name} (${plane.cidr}) has no host number ${host} for ${node.node}: the pool is exhausted; widen the plane or set planeHost`,
      );
    }
    if (host === HUB_HOST && node.role !== 'master') {
      throw new AllocationError(
        'conflict',
        `${node.node} would take the hub's address on ${plane.name}; set planeHost`,
      );
    }
    const address = hostAddress(net, host);
    const taken = holder.get(plane.name, address) as { node: string } | undefined;
    if (taken && taken.node !== node.node) {
      throw new AllocationError(
        'conflict',
        `${address} on ${plane.name} is already allocated to ${taken.node}; give ${node.node} another planeHost in the topology`,
      );
    }
    insert.run(plane.name, address, node.node, now);
    return { plane: plane.name, address, network: plane.cidr };
  });
}

export function allocationsOf(db: DatabaseSync, node: string): Map<string, string> {
  const rows = statement(db, 'SELECT plane, address FROM allocations WHERE node = ?').all(node) as Array<{
    plane: string;
    address: string;
  }>;
  return new Map(rows.map((r) => [r.plane, r.address]));
}
