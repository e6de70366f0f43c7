import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvergeEngine } from '../../hub/converge/engine.ts';
import { databaseStores } from '../../hub/converge/run-records.ts';
import { LocalChannel, type TaskRunner } from '../support/local-channel.ts';
import { openConvergeDb } from '../../hub/converge/open-db.ts';
import { convergeStatus, formatConvergeStatus, taskLogs } from '../../hub/converge/views.ts';
import type { Plan } from '../../hub/plan/model.ts';
import { PlanBuilder } from '../../hub/plan/plan-builder.ts';
import { executeTask } from '../../minion/tasks/execute-task.ts';
import { command, file } from '../../shared/tasks/builders.ts';
import { makeSim } from './sim-support.ts';

/** Two nodes, a small graph with real commands: a → b → c on n1, d on n2 independent, e after a and d. */
function smallPlan(failing = false): Plan {
  const p = new PlanBuilder();
  const a = p.add('n1', 'a', 'preflight', [file('f', '/etc/a.conf', 'a\n')], { retries: 2 });
  const b = p.add('n1', 'b', 'runtime', [command('cmd', failing ? ['ls', '/kdc-no-such-dir'] : ['true'])], {
    deps: [a],
    retries: 1,
  });
  p.add('n1', 'c', 'runtime', [file('f', '/etc/c.conf', 'c\n')], { deps: [b] });
  const d = p.add('n2', 'd', 'preflight', [file('f', '/etc/d.conf', 'd\n')]);
  p.add('n2', 'e', 'etcd', [file('f', '/etc/e.conf', 'e\n')], { deps: [a, d] });
  p.validate();
  return { deployment: 'small', tasks: p.tasks };
}

function small(runner?: TaskRunner, engineOpts: { runDeadlineMs?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-faults-'));
  const channel = new LocalChannel({ recordCommands: false, runner });
  channel.addNode('n1', path.join(dir, 'n1'));
  channel.addNode('n2', path.join(dir, 'n2'));
  const db = openConvergeDb(path.join(dir, 'state.db'));
  const engine = new ConvergeEngine(databaseStores(db), channel, {
    backoffMs: () => 10,
    timeoutGraceMs: 50,
    ...engineOpts,
  });
  return {
    dir,
    channel,
    db,
    engine,
    cleanup: () => (engine.close(), db.close(), fs.rmSync(dir, { recursive: true, force: true })),
  };
}

const realRunner: TaskRunner = (n, t, signal) =>
  executeTask(t, { root: n.root, recordCommands: false, signal, log: () => {} });

describe('convergence faults', function () {
  this.timeout(60_000);

  it('a failing task stops only what depends on it; status names node, task and output tail', async () => {
    const s = small();
    try {
      const sum = await s.engine.waitForRun(s.engine.start(smallPlan(true)));
      assert.equal(sum.state, 'failed');
      const st = new Map(s.engine.rows(sum.runId).map((r) => [r.task_id, r]));
      assert.equal(st.get('n1/b')!.state, 'failed');
      assert.equal(st.get('n1/b')!.attempt, 2, 'a failed command is retried up to its budget');
      assert.equal(st.get('n1/c')!.state, 'blocked');
      assert.match(st.get('n1/c')!.error, /blocked by n1\/b/);
      for (const ok of ['n1/a', 'n2/d', 'n2/e']) assert.equal(st.get(ok)!.state, 'done', ok);
      const text = formatConvergeStatus(convergeStatus(s.db)!);
      assert.match(text, /FAILED n1\/b on n1 \(attempt 2\): cmd: ls \/kdc-no-such-dir: exit status 2/);
      assert.match(text, /\| .*kdc-no-such-dir.*No such file or directory/);
      assert.match(
        taskLogs(s.db, 'n1', 'b')[0]!
          .lines.map((l) => l.text)
          .join('\n'),
        /retrying/,
      );
    } finally {
      s.cleanup();
    }
  });

  it('rerun of a fixed task runs it and what it blocked, nothing else', async () => {
    const sim = await makeSim();
    try {
      // etcd-2 cannot converge: a file sits where its PKI directory must go (not retryable).
      fs.mkdirSync(path.join(sim.root('etcd-2'), 'etc/etcd'), { recursive: true });
      fs.writeFileSync(path.join(sim.root('etcd-2'), 'etc/etcd/pki'), 'in the way');
      const first = await sim.engine.waitForRun(sim.engine.start(sim.plan));
      assert.equal(first.state, 'failed');
      const rows = sim.engine.rows(first.runId);
      assert.deepEqual(
        rows.filter((r) => r.state === 'failed').map((r) => `${r.task_id}#${r.attempt}`),
        ['etcd-2/etcd-config#1'],
      );
      const blocked = rows
        .filter((r) => r.state === 'blocked')
        .map((r) => r.task_id)
        .sort();
      assert.deepEqual(blocked, [
        'cp-1/api-ready',
        'cp-1/join-token',
        'cp-1/kubeadm-init',
        'cp-1/upload-certs',
        'cp-2/kubeadm-join',
        'cp-3/kubeadm-join',
        'etcd-1/etcd-healthy',
        'etcd-2/etcd-join',
        'etcd-2/etcd-service',
        'w-1/kubeadm-join',
        'w-2/kubeadm-join',
        'w-3/kubeadm-join',
      ]);
      const status = convergeStatus(sim.db)!;
      assert.equal(status.phase, 'etcd');
      assert.match(
        formatConvergeStatus(status),
        /FAILED etcd-2\/etcd-config on etcd-2 \(attempt 1\): pki-dir: \/etc\/etcd\/pki exists and is not a directory/,
      );

      fs.rmSync(path.join(sim.root('etcd-2'), 'etc/etcd/pki'));
      const before = new Map([...sim.channel.nodes.values()].map((n) => [n.name, n.started.length]));
      const reset = sim.engine.rerun('etcd-2/etcd-config');
      assert.equal(reset.length, 13);
      const after = await sim.engine.waitForRun(first.runId);
      assert.equal(after.state, 'done');
      assert.equal(after.failed + after.blocked, 0);
      // Only the rerun task and what it had blocked ran again.
      const ran = [...sim.channel.nodes.values()].flatMap((n) => n.started.slice(before.get(n.name)));
      assert.deepEqual(ran.sort(), reset.filter((id) => !id.startsWith('hub/')).sort());
    } finally {
      sim.cleanup();
    }
  });

  it('retries a retryable failure with backoff and then succeeds', async () => {
    let failures = 0;
    const s = small((n, t, signal) => {
      if (t.name === 'n2/d' && failures++ < 2) {
        return Promise.resolve({
          taskId: t.taskId,
          attempt: t.attempt,
          status: 'TASK_STATUS_FAILED',
          error: 'flaky',
          retryable: true,
          states: [],
        });
      }
      return realRunner(n, t, signal);
    });
    try {
      const sum = await s.engine.waitForRun(s.engine.start(smallPlan()));
      assert.equal(sum.state, 'done');
      const d = s.engine.rows(sum.runId).find((r) => r.task_id === 'n2/d')!;
      assert.equal(d.attempt, 3);
      assert.equal(s.channel.nodes.get('n2')!.started.filter((x) => x === 'n2/d').length, 3);
    } finally {
      s.cleanup();
    }
  });

  it('a non-retryable failure is not retried', async () => {
    const s = small((n, t, signal) =>
      t.name === 'n2/d'
        ? Promise.resolve({
            taskId: t.taskId,
            attempt: t.attempt,
            status: 'TASK_STATUS_FAILED',
            error: 'bad spec',
            retryable: false,
            states: [],
          })
        : realRunner(n, t, signal),
    );
    try {
      const sum = await s.engine.waitForRun(s.engine.start(smallPlan()));
      const d = s.engine.rows(sum.runId).find((r) => r.task_id === 'n2/d')!;
      assert.equal(d.state, 'failed');
      assert.equal(d.attempt, 1);
      assert.equal(s.engine.rows(sum.runId).find((r) => r.task_id === 'n2/e')!.state, 'blocked');
      assert.equal(s.engine.rows(sum.runId).find((r) => r.task_id === 'n1/c')!.state, 'done');
    } finally {
      s.cleanup();
    }
  });

  it('a minion killed mid-task gets the task again when it reconnects, and the run completes', async () => {
    let release: () => void = () => {};
    const entered = new Promise<void>((resolve) => {
      release = resolve;
    });
    let hang = true;
    const s = small(async (n, t, signal) => {
      if (t.name === 'n1/b' && hang) {
        hang = false;
        release();
        // The minion is "running" the task when it dies: it never answers.
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return { taskId: t.taskId, attempt: t.attempt, status: 'TASK_STATUS_CANCELLED' };
      }
      return realRunner(n, t, signal);
    });
    try {
      const runId = s.engine.start(smallPlan());
      await entered;
      s.channel.disconnect('n1');
      assert.deepEqual(
        convergeStatus(s.db)!.nodes.find((n) => n.node === 'n1')!.running,
        ['b'],
        'in flight while the node is away',
      );
      s.channel.connect('n1');
      const sum = await s.engine.waitForRun(runId);
      assert.equal(sum.state, 'done');
      assert.deepEqual(s.channel.nodes.get('n1')!.started, ['n1/a', 'n1/b', 'n1/b', 'n1/c']);
      const b = s.engine.rows(runId).find((r) => r.task_id === 'n1/b')!;
      assert.equal(b.attempt, 1, 'resent as the same attempt: the node never answered it');
    } finally {
      s.cleanup();
    }
  });

  it('a node that never answers times the task out and the retry succeeds', async () => {
    let first = true;
    const s = small(async (n, t, signal) => {
      if (t.name === 'n2/d' && first) {
        first = false;
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return { taskId: t.taskId, attempt: t.attempt, status: 'TASK_STATUS_CANCELLED' };
      }
      return realRunner(n, t, signal);
    });
    const plan = smallPlan();
    plan.tasks.find((x) => x.id === 'n2/d')!.timeoutMs = 100;
    try {
      const sum = await s.engine.waitForRun(s.engine.start(plan));
      assert.equal(sum.state, 'done');
      assert.equal(s.engine.rows(sum.runId).find((r) => r.task_id === 'n2/d')!.attempt, 2);
    } finally {
      s.cleanup();
    }
  });

  it('a run waiting on an offline node names it; --cancel ends the run and the next one can start', async () => {
    const s = small(realRunner);
    try {
      s.channel.disconnect('n2');
      const runId = s.engine.start(smallPlan());
      const deadline = Date.now() + 10_000;
      while (s.engine.rows(runId).filter((r) => r.node === 'n1' && r.state === 'done').length < 3) {
        assert.ok(Date.now() < deadline, 'n1 finished its tasks');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(s.engine.waitingOn(runId), ['n2 (not connected, 2 tasks left)']);
      assert.throws(() => s.engine.start(smallPlan()), /run 1 is still running/);
      const r = s.engine.cancel();
      assert.deepEqual(r, { runId, cancelled: 2 });
      const sum = await s.engine.waitForRun(runId);
      assert.equal(sum.state, 'failed');
      assert.match(s.engine.rows(runId).find((x) => x.task_id === 'n2/d')!.error, /cancelled by the operator/);
      assert.equal(s.engine.cancel(), undefined, 'nothing left to cancel');
      s.channel.connect('n2');
      const next = await s.engine.waitForRun(s.engine.start(smallPlan()));
      assert.equal(next.state, 'done');
    } finally {
      s.cleanup();
    }
  });

  it('a run has a deadline: past it, what is left is cancelled, naming the offline node it waited for', async () => {
    const s = small(realRunner, { runDeadlineMs: 500 });
    try {
      s.channel.disconnect('n2');
      const sum = await s.engine.waitForRun(s.engine.start(smallPlan()));
      assert.equal(sum.state, 'failed');
      const d = s.engine.rows(sum.runId).find((x) => x.task_id === 'n2/d')!;
      assert.equal(d.state, 'blocked');
      assert.match(d.error, /the run's deadline \(500ms\) passed waiting for n2 \(not connected, 2 tasks left\)/);
      assert.equal(s.engine.rows(sum.runId).find((x) => x.task_id === 'n1/c')!.state, 'done');
    } finally {
      s.cleanup();
    }
  });
});
