import type { DatabaseSync } from 'node:sqlite';
import { UserError } from '../../shared/errors.ts';
import type { InventoryFile } from '../../shared/identity/files.ts';
import { parseIpv4Network } from '../../shared/net/ipv4.ts';
import { planeHostOf } from '../../shared/planes/addressing.ts';
import type { Role, Topology } from '../../shared/topology/model.ts';
import { inTransaction } from './open-db.ts';
import { statement } from './statements.ts';

export interface InventoryNode {
  node: string;
  position: number;
  role: Role;
  vmid: number;
  lanIp: string;
  planeHost: number;
  credentialPublicKey: Uint8Array;
  smbiosUuid: string | null;
  smbiosSerial: string | null;
  generation: number;
}

/**
 * Loads the topology and the deployer's inventory (credential public keys)
 * into the hub's state, in one transaction. Existing rows are updated in
 * place so enrollments and allocations survive a topology edit; nodes that
 * left the topology are kept only while enrolled (an operator replaces them).
 * A credential the file still has but a node already spent does not come
 * back over the one a replace gave the node (the file on the master is the
 * first deploy's).
 */
export function importInventory(db: DatabaseSync, topology: Topology, inventory: InventoryFile): void {
  if (inventory.deployment !== topology.name) {
    throw new UserError(
      `the inventory is for deployment "${inventory.deployment}" but the topology is "${topology.name}"`,
    );
  }
  const byNode = new Map(inventory.nodes.map((n) => [n.node, n]));
  const missing = topology.nodes.filter((n) => !byNode.has(n.hostname)).map((n) => n.hostname);
  if (missing.length > 0) {
    throw new UserError(
      `the inventory has no enrollment credential for: ${missing.join(', ')}`,
      'rebuild it with the deployer',
    );
  }
  const lan = parseIpv4Network(topology.lan.cidr);
  inTransaction(db, () => {
    const upsert = statement(
      db,
      `
      INSERT INTO inventory (node, position, role, vmid, lan_ip, plane_host, credential_public_key, smbios_uuid, smbios_serial)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (node) DO UPDATE SET position = excluded.position, role = excluded.role, vmid = excluded.vmid,
        lan_ip = excluded.lan_ip, plane_host = excluded.plane_host,
        credential_public_key = CASE
          WHEN excluded.credential_public_key IN (SELECT public_key FROM spent_credentials)
          THEN inventory.credential_public_key ELSE excluded.credential_public_key END,
        smbios_uuid = excluded.smbios_uuid, smbios_serial = excluded.smbios_serial`,
    );
    topology.nodes.forEach((n, i) => {
      const inv = byNode.get(n.hostname)!;
      const key = Buffer.from(inv.credentialPublicKey, 'base64');
      if (key.length !== 32) throw new UserError(`the inventory's credential key for ${n.hostname} is not 32 bytes`);
      upsert.run(
        n.hostname,
        i,
        n.role,
        n.vmid,
        n.ip,
        planeHostOf(n, lan),
        key,
        inv.smbiosUuid ?? n.smbiosUuid ?? null,
        inv.smbiosSerial ?? null,
      );
    });
    const names = new Set(topology.nodes.map((n) => n.hostname));
    for (const row of statement(db, 'SELECT node FROM inventory').all() as Array<{ node: string }>) {
      if (names.has(row.node)) continue;
      const enrolled = statement(db, 'SELECT 1 FROM enrollments WHERE node = ?').get(row.node);
      if (!enrolled) {
        statement(db, 'DELETE FROM allocations WHERE node = ?').run(row.node);
        statement(db, 'DELETE FROM plane_keys WHERE node = ?').run(row.node);
        statement(db, 'DELETE FROM sessions WHERE node = ?').run(row.node);
        statement(db, 'DELETE FROM inventory WHERE node = ?').run(row.node);
      }
    }
    statement(
      db,
      "INSERT INTO meta (key, value) VALUES ('topology', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(JSON.stringify(topology));
  });
}

export function storedTopology(db: DatabaseSync): Topology | undefined {
  const row = statement(db, "SELECT value FROM meta WHERE key = 'topology'").get() as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as Topology) : undefined;
}

interface InventoryRow {
  node: string;
  position: number;
  role: Role;
  vmid: number;
  lan_ip: string;
  plane_host: number;
  credential_public_key: Uint8Array;
  smbios_uuid: string | null;
  smbios_serial: string | null;
  generation: number;
}

function fromRow(r: InventoryRow): InventoryNode {
  return {
    node: r.node,
    position: r.position,
    role: r.role,
    vmid: r.vmid,
    lanIp: r.lan_ip,
    planeHost: r.plane_host,
    credentialPublicKey: r.credential_public_key,
    smbiosUuid: r.smbios_uuid,
    smbiosSerial: r.smbios_serial,
    generation: r.generation,
  };
}

export function inventoryNode(db: DatabaseSync, node: string): InventoryNode | undefined {
  const r = statement(db, 'SELECT * FROM inventory WHERE node = ?').get(node) as InventoryRow | undefined;
  return r ? fromRow(r) : undefined;
}

export function listInventory(db: DatabaseSync): InventoryNode[] {
  return (statement(db, 'SELECT * FROM inventory ORDER BY position, node').all() as unknown as InventoryRow[]).map(
    fromRow,
  );
}
