import assert from 'node:assert/strict';
import fs from 'node:fs';
import { wireTaskId } from '../../hub/converge/task-row.ts';
import { makeSim, type Sim } from './sim-support.ts';

/** What a compromised node can send over its session about convergence: only its own tasks count. */
describe('convergence: what a node sends is kept only for the tasks the hub gave it', () => {
  let sim: Sim;
  afterEach(() => sim?.cleanup());

  it('drops log lines and results for tasks of another node or of no task, and cuts a huge line', async () => {
    const errors: string[] = [];
    sim = await makeSim({ engine: { onStoreError: (what) => errors.push(what) } });
    const runId = sim.engine.start(sim.plan);
    const own = sim.plan.tasks.find((t) => t.node === 'w-1' && t.deps.length === 0)!.id;
    const other = sim.plan.tasks.find((t) => t.node === 'cp-1')!.id;
    const line = (taskId: string, text: string) => ({ taskId, level: 'info', text, atMs: Date.now() });
    sim.channel.forgeLog('w-1', line(wireTaskId(runId, other), 'forged: for cp-1'));
    sim.channel.forgeLog('w-1', line(wireTaskId(runId, 'w-1/made-up'), 'forged: no such task'));
    sim.channel.forgeLog('w-1', line(wireTaskId(runId, own), `huge ${'x'.repeat(1_000_000)}`));
    // A result for cp-1's task from w-1 (as if cp-1 had failed): ignored, cp-1 does its task itself.
    sim.channel.forgeResult('w-1', {
      taskId: wireTaskId(runId, other),
      attempt: 1,
      status: 'TASK_STATUS_FAILED',
      error: 'forged',
      retryable: false,
    });
    const summary = await sim.engine.waitForRun(runId);
    assert.equal(summary.state, 'done');
    const rows = sim.db.prepare('SELECT node, task_id, text FROM converge_log WHERE run_id = ?').all(runId) as Array<{
      node: string;
      task_id: string;
      text: string;
    }>;
    assert.deepEqual(
      rows.filter((r) => r.text.startsWith('forged')),
      [],
    );
    const huge = rows.find((r) => r.text.startsWith('huge'));
    assert.ok(huge && huge.node === 'w-1' && huge.task_id === own, 'a node logs for its own task');
    assert.ok(huge.text.length < 4_200, `kept ${huge.text.length} characters`);
    assert.match(huge.text, /… \(\d+ more characters\)$/);
    assert.deepEqual(errors, []);
  });

  it('stays up when recording what a node sent fails (a full disk): the error is said, not thrown', async () => {
    const errors: string[] = [];
    sim = await makeSim({ engine: { onStoreError: (what) => errors.push(what) } });
    const runId = sim.engine.start(sim.plan);
    await sim.engine.waitForRun(runId);
    // The database goes away under the engine, as a disk that fills makes every write fail.
    sim.db.close();
    const { dir } = sim;
    sim = { ...sim, cleanup: () => (sim.engine.close(), fs.rmSync(dir, { recursive: true, force: true })) };
    sim.channel.forgeResult('w-1', { taskId: wireTaskId(runId, 'w-1/x'), attempt: 1, status: 'TASK_STATUS_CHANGED' });
    sim.channel.forgeLog('w-1', { taskId: wireTaskId(runId, 'w-1/x'), level: 'info', text: 'x', atMs: 0 });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(errors.sort(), ['recording 1 log lines', 'recording 1 task results']);
  });
});
