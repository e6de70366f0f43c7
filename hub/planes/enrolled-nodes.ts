import type { DatabaseSync } from 'node:sqlite';
import type { EnrolledNode } from '../../shared/planes/peer-lists.ts';
import type { PlaneName } from '../../shared/topology/model.ts';

/** The enrolled nodes with their plane keys and addresses, as the hub's state records them. */
export function readEnrolledNodes(db: DatabaseSync): EnrolledNode[] {
  const rows = db
    .prepare(
      `SELECT pk.node AS node, pk.plane AS plane, pk.public_key AS publicKey, a.address AS address
         FROM plane_keys pk
         JOIN enrollments e ON e.node = pk.node
         JOIN allocations a ON a.node = pk.node AND a.plane = pk.plane
        ORDER BY pk.node, pk.plane`,
    )
    .all() as Array<{ node: string; plane: PlaneName; publicKey: Uint8Array; address: string }>;
  const byNode = new Map<string, EnrolledNode>();
  for (const r of rows) {
    let n = byNode.get(r.node);
    if (!n) byNode.set(r.node, (n = { name: r.node, planes: [] }));
    n.planes.push({ plane: r.plane, publicKey: Buffer.from(r.publicKey).toString('base64'), address: r.address });
  }
  return [...byNode.values()];
}
