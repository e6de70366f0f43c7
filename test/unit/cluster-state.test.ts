import assert from 'node:assert/strict';
import path from 'node:path';
import { etcdBootstrapped, kubernetesMembers } from '../../hub/converge/cluster-state.ts';
import { CONVERGE_MIGRATIONS } from '../../hub/converge/schema.ts';
import { CORE_MIGRATIONS } from '../../hub/state/migrations.ts';
import { importInventory } from '../../hub/state/inventory.ts';
import { openHubDb } from '../../hub/state/open-db.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { tempDir } from '../support/hub-fixture.ts';

describe('the cluster state the plan is decided from (the hub’s record of real runs)', function () {
  it('counts a node a Kubernetes member only for a real, not skipped kubeadm success since its current enrollment', function () {
    const t = loadTopology();
    const db = openHubDb(path.join(tempDir('cluster-state'), 'hub.db'), [...CORE_MIGRATIONS, ...CONVERGE_MIGRATIONS]);
    importInventory(db, t, {
      deployment: t.name,
      nodes: t.nodes.map((n) => ({ node: n.hostname, credentialPublicKey: Buffer.alloc(32).toString('base64') })),
    });
    const enroll = (node: string, at: number) =>
      db
        .prepare(
          `INSERT INTO enrollments (node, identity_public_key, enrolled_at, window_id, generation, facts) VALUES (?, ?, ?, 'w', 1, '{}')
           ON CONFLICT (node) DO UPDATE SET enrolled_at = excluded.enrolled_at`,
        )
        .run(node, Buffer.from(node), at);
    for (const n of ['cp-1', 'cp-2', 'cp-3', 'w-1', 'w-2', 'etcd-1']) enroll(n, 100);
    const run = (dry: number) =>
      Number(
        db.prepare("INSERT INTO converge_run (started_at, dry_run, state) VALUES (0, ?, 'done')").run(dry)
          .lastInsertRowid,
      );
    let seq = 0;
    const task = (runId: number, node: string, name: string, state: string, status: string) =>
      db
        .prepare(
          `INSERT INTO converge_task (run_id, task_id, seq, node, name, phase, deps, spec, state, retries, status, finished_at)
           VALUES (?, ?, ?, ?, ?, 'control-plane', '[]', '{}', ?, 0, ?, 200)`,
        )
        .run(runId, `${node}/${name}`, seq++, node, name, state, status);
    const real = run(0);
    const dry = run(1);
    assert.equal(etcdBootstrapped(db), false);
    assert.deepEqual(kubernetesMembers(db), []);

    task(real, 'cp-1', 'kubeadm-init', 'done', 'TASK_STATUS_CHANGED');
    task(real, 'cp-2', 'kubeadm-join', 'done', 'TASK_STATUS_CHANGED');
    task(real, 'cp-3', 'kubeadm-join', 'failed', 'TASK_STATUS_FAILED');
    task(real, 'w-1', 'kubeadm-join', 'done', 'TASK_STATUS_SKIPPED');
    task(dry, 'w-2', 'kubeadm-join', 'done', 'TASK_STATUS_CHANGED');
    task(real, 'etcd-1', 'etcd-healthy', 'done', 'TASK_STATUS_UNCHANGED');
    assert.deepEqual(kubernetesMembers(db), ['cp-1', 'cp-2']);
    assert.equal(etcdBootstrapped(db), true);

    // cp-1 was replaced and enrolled again: its old success no longer counts, and it will join.
    enroll('cp-1', 300);
    assert.deepEqual(kubernetesMembers(db), ['cp-2']);
    db.close();
  });
});
