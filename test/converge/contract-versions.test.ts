import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvergeEngine } from '../../hub/converge/engine.ts';
import { databaseStores } from '../../hub/converge/run-records.ts';
import { openConvergeDb } from '../../hub/converge/open-db.ts';
import { convergeStatus, formatConvergeStatus } from '../../hub/converge/views.ts';
import { PlanBuilder } from '../../hub/plan/plan-builder.ts';
import { etcdSnapshot, file } from '../../shared/tasks/builders.ts';
import { LocalChannel } from '../support/local-channel.ts';
import { until } from '../support/until.ts';

/**
 * The contract read both ways: a node whose minion speaks an older
 * contract than a task's states need is not sent that task (it would fail
 * a state it does not know, and never be retried): the task is held, the
 * run says why, the node's other work goes on; once the node says a new
 * enough version (a new hello), the task goes.
 */
describe('convergence: a task waits for a node that speaks too old a contract', function () {
  this.timeout(30_000);
  let dir: string;

  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('holds the etcd snapshot for a node at contract 2, says why, runs its other tasks, and sends it after a hello at 3', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-contract-'));
    const sent: string[] = [];
    const channel = new LocalChannel({
      runner: async (_node, task) => {
        sent.push(task.name);
        return { taskId: task.taskId, attempt: task.attempt, status: 'TASK_STATUS_CHANGED', durationMs: 1, states: [] };
      },
    });
    channel.addNode('etcd-1', path.join(dir, 'etcd-1'));
    channel.contracts.set('etcd-1', 2);
    const p = new PlanBuilder();
    p.add('etcd-1', 'config', 'etcd', [file('f', '/etc/x.conf', 'x\n')]);
    p.add('etcd-1', 'snapshot', 'etcd', [
      etcdSnapshot('snap', {
        endpoint: 'https://127.0.0.1:2379',
        caFile: '/ca',
        certFile: '/cert',
        keyFile: '/key',
        dir: '/var/backups',
        fileName: 'x.db',
        keep: 1,
      }),
    ]);
    p.validate();
    const db = openConvergeDb(path.join(dir, 'state.db'));
    const engine = new ConvergeEngine(databaseStores(db), channel, { backoffMs: () => 10 });
    try {
      const runId = engine.start({ deployment: 'contract', tasks: p.tasks });
      await until('the config task done', () => (sent.includes('etcd-1/config') ? true : undefined), 10_000);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(sent, ['etcd-1/config'], 'the snapshot was not sent to a node that cannot carry it out');
      const status = convergeStatus(db, runId)!;
      assert.equal(status.state, 'running');
      const held = 'etcd-1 speaks contract 2; etcd snapshots need 3';
      assert.equal(engine.heldReason('etcd-1'), held);
      assert.ok(engine.waitingOn(runId).includes(held), engine.waitingOn(runId).join('; '));
      assert.equal(engine.rows(runId).find((r) => r.task_id === 'etcd-1/snapshot')!.state, 'pending');

      // The node's minion is upgraded: its next hello says 3.
      channel.contracts.set('etcd-1', 3);
      channel.connect('etcd-1');
      const summary = await engine.waitForRun(runId);
      assert.equal(summary.state, 'done');
      assert.deepEqual(sent, ['etcd-1/config', 'etcd-1/snapshot']);
      assert.equal(engine.heldReason('etcd-1'), undefined);
      assert.doesNotMatch(formatConvergeStatus(convergeStatus(db, runId)!), /HELD/);
    } finally {
      engine.close();
      db.close();
    }
  });
});
