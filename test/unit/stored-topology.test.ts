import assert from 'node:assert/strict';
import path from 'node:path';
import { topologyWithStoredAddresses } from '../../hub/ipam/stored-topology.ts';
import { buildPlan } from '../../hub/plan/build-plan.ts';
import { ensurePlanMaterial } from '../../hub/plan/material.ts';
import { CORE_MIGRATIONS } from '../../hub/state/migrations.ts';
import { openHubDb } from '../../hub/state/open-db.ts';
import { importInventory } from '../../hub/state/inventory.ts';
import { renderRuleset } from '../../shared/firewall/render-ruleset.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { tempDir } from '../support/hub-fixture.ts';

describe('addresses come from the hub’s stored allocations, not from the topology file as it is now', function () {
  it('renders the plan and the firewall with a node’s stored address after the topology moved its planeHost', async function () {
    const t = loadTopology();
    const dir = tempDir('stored-topology');
    const db = openHubDb(path.join(dir, 'hub.db'), CORE_MIGRATIONS);
    importInventory(db, t, {
      deployment: t.name,
      nodes: t.nodes.map((n) => ({ node: n.hostname, credentialPublicKey: Buffer.alloc(32).toString('base64') })),
    });
    // w-1 was enrolled at host 41 on every plane; then the file was edited to planeHost 77.
    for (const [plane, net] of [
      ['wg1', '10.78.0'],
      ['wg2', '10.79.0'],
      ['wg3', '10.80.0'],
    ] as const)
      db.prepare('INSERT INTO allocations (plane, address, node, allocated_at) VALUES (?, ?, ?, 0)').run(
        plane,
        `${net}.41`,
        'w-1',
      );
    const edited = { ...t, nodes: t.nodes.map((n) => (n.hostname === 'w-1' ? { ...n, planeHost: 77 } : n)) };
    const stored = topologyWithStoredAddresses(db, edited);
    const plan = buildPlan(stored, await ensurePlanMaterial(dir, stored));
    const exporter = plan.tasks.find((x) => x.id === 'w-1/node-exporter')!.states.find((s) => s.id === 'defaults')!;
    const text = Buffer.from(exporter.file!.content as Uint8Array).toString();
    assert.match(text, /--web\.listen-address=10\.79\.0\.41:9100/);
    assert.match(renderRuleset(stored, 'etcd-1'), /10\.80\.0\.41/);
    assert.doesNotMatch(renderRuleset(stored, 'etcd-1'), /10\.80\.0\.77/);
    // Without the stored allocation the edit would have moved it.
    assert.match(renderRuleset(edited, 'etcd-1'), /10\.80\.0\.77/);
    db.close();
  });
});
