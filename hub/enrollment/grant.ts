import type { DatabaseSync } from 'node:sqlite';
import type { EnrollResponse } from '../../proto/gen/kubedos/v1/EnrollResponse.ts';
import type { WireguardKeyPair } from '../../shared/keys/wireguard.ts';
import { hubPlaneAddress } from '../../shared/planes/addressing.ts';
import type { PlaneName, Topology } from '../../shared/topology/model.ts';
import { allocationsOf } from '../ipam/plane-allocation.ts';
import type { InventoryNode } from '../state/inventory.ts';
import { enrollmentOf } from './enrollments.ts';

/** What an enrolled node is told: its addresses, the hub's plane keys and endpoints. Public data only. */
export function buildGrant(
  db: DatabaseSync,
  topology: Topology,
  hubKeys: Record<PlaneName, WireguardKeyPair>,
  inventory: Pick<InventoryNode, 'node' | 'role'>,
  heartbeatIntervalMs: number,
): EnrollResponse {
  const node = inventory.node;
  const enrollment = enrollmentOf(db, node);
  if (!enrollment) throw new Error(`${node} is not enrolled`);
  const addresses = allocationsOf(db, node);
  const master = topology.nodes.find((n) => n.role === 'master')!;
  return {
    deployment: topology.name,
    node,
    role: inventory.role,
    planes: topology.planes.map((p) => ({
      plane: p.name,
      purpose: p.purpose,
      address: `${addresses.get(p.name)}/32`,
      network: p.cidr,
      listenPort: p.port,
      hubAddress: hubPlaneAddress(p),
      hubPublicKey: Buffer.from(hubKeys[p.name].publicKey),
      hubEndpoint: `${master.ip}:${p.port}`,
    })),
    heartbeatIntervalMs,
    enrolledAtMs: enrollment.enrolledAt,
    generation: enrollment.generation,
  };
}
