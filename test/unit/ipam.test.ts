import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { AllocationError, allocatePlaneAddresses } from '../../hub/ipam/plane-allocation.ts';
import { importInventory, inventoryNode } from '../../hub/state/inventory.ts';
import { CORE_MIGRATIONS } from '../../hub/state/migrations.ts';
import { inTransaction, openHubDb } from '../../hub/state/open-db.ts';
import type { InventoryFile } from '../../shared/identity/files.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { tempDir } from '../support/hub-fixture.ts';

function inventoryFor(t: Topology): InventoryFile {
  return {
    deployment: t.name,
    nodes: t.nodes.map((n) => ({
      node: n.hostname,
      credentialPublicKey: Buffer.alloc(32, n.vmid % 251).toString('base64'),
    })),
  };
}

describe('plane IPAM', () => {
  let dir: string;
  let file: string;
  let db: DatabaseSync;
  const topology = loadTopology();
  const allocate = (node: string, t = topology) =>
    inTransaction(db, () => allocatePlaneAddresses(db, t.planes, inventoryNode(db, node)!, Date.now()));

  beforeEach(() => {
    dir = tempDir('ipam');
    file = path.join(dir, 'hub.db');
    db = openHubDb(file, CORE_MIGRATIONS);
    importInventory(db, topology, inventoryFor(topology));
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives each node the same host number on every plane, the master the first address', () => {
    assert.deepEqual(
      allocate('cp-2').map((a) => a.address),
      ['10.78.0.32', '10.79.0.32', '10.80.0.32'],
    );
    assert.deepEqual(
      allocate('master').map((a) => a.address),
      ['10.78.0.1', '10.79.0.1', '10.80.0.1'],
    );
  });

  it('keeps an allocation across a hub restart and a topology edit', () => {
    const first = allocate('w-1');
    db.close();
    db = openHubDb(file, CORE_MIGRATIONS);
    const edited = structuredClone(topology);
    edited.nodes.find((n) => n.hostname === 'w-1')!.planeHost = 99;
    importInventory(db, edited, inventoryFor(edited));
    assert.deepEqual(allocate('w-1', edited), first, 'the stored address wins over a changed topology');
  });

  it('reports a conflict naming the holder, and never allocates an address twice', () => {
    allocate('w-1');
    const edited = structuredClone(topology);
    edited.nodes.find((n) => n.hostname === 'w-2')!.planeHost = 41;
    edited.allowNonHaCore = true;
    db.prepare('UPDATE inventory SET plane_host = 41 WHERE node = ?').run('w-2');
    assert.throws(
      () => allocate('w-2'),
      (err: unknown) =>
        err instanceof AllocationError && /10\.78\.0\.41 on wg1 is already allocated to w-1/.test(err.message),
    );
    const rows = db.prepare('SELECT COUNT(*) AS n FROM allocations WHERE node = ?').get('w-2') as { n: number };
    assert.equal(rows.n, 0, 'a failed allocation leaves nothing half-written');
  });

  it('reports pool exhaustion clearly', () => {
    db.prepare('UPDATE inventory SET plane_host = 255 WHERE node = ?').run('w-3');
    assert.throws(() => allocate('w-3'), /pool is exhausted/);
  });

  it('refuses to open a database from a newer schema', () => {
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run();
    db.close();
    assert.throws(() => openHubDb(file, CORE_MIGRATIONS), /schema version\(s\) 999/);
    db = openHubDb(file, [...CORE_MIGRATIONS, { version: 999, name: 'future', sql: 'SELECT 1' }]);
  });
});
