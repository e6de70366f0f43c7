import assert from 'node:assert/strict';
import {
  answerTransition,
  downstream,
  isInstallTask,
  nextSteps,
  rerunSet,
  runGraph,
  type TaskView,
} from '../../hub/converge/scheduler.ts';

/**
 * The scheduler alone: states, an event and the time in, decisions out.
 * Time is an argument, so a retry "an hour later" is a number, not a wait.
 */
describe('convergence scheduler (pure)', () => {
  // hub/secret → a/join; a/install → a/join → b/use; a/install → c/other (c is offline); d/skip → b/use
  const rows = [
    { task_id: 'hub/secret', deps: '[]' },
    { task_id: 'a/install', deps: '[]' },
    { task_id: 'a/join', deps: '["a/install","hub/secret"]' },
    { task_id: 'b/use', deps: '["a/join","d/skip"]' },
    { task_id: 'c/other', deps: '["a/install"]' },
    { task_id: 'd/skip', deps: '[]' },
  ];
  const g = runGraph(rows);
  const view = (states: Record<string, Partial<TaskView>>) => (id: string) => {
    const node = id.split('/')[0]!;
    return {
      state: 'pending' as const,
      node,
      retryAt: 0,
      ...(id === 'd/skip' ? { skip: 'no package' } : {}),
      // What the engine says of a task the hub does itself (its plan gave it an action).
      ...(id === 'hub/secret' ? { hub: true } : {}),
      ...states[id],
    };
  };
  const online = (n: string) => n !== 'c';

  it('sends what is ready, does hub and skipped tasks at once, and frees what they unblock in the same turn', () => {
    const { steps, nextRetryAt } = nextSteps(g, g.order, view({}), 1_000, online);
    assert.deepEqual(steps, [
      { id: 'hub/secret', action: 'hub' },
      { id: 'a/install', action: 'send' },
      { id: 'd/skip', action: 'skip', reason: 'no package' },
    ]);
    assert.equal(nextRetryAt, Infinity);
    // a/install done: a/join goes (its hub secret is done); c/other waits for its node.
    const later = nextSteps(
      g,
      ['a/join', 'c/other'],
      view({ 'hub/secret': { state: 'done' }, 'a/install': { state: 'done' } }),
      2_000,
      online,
    );
    assert.deepEqual(later.steps, [{ id: 'a/join', action: 'send' }]);
  });

  it('holds a task whose node speaks too old a contract, says why, and sends it once the node speaks one new enough', () => {
    const done = { state: 'done' as const };
    const snapshot = { needs: { contract: 3, what: 'etcd snapshots' } };
    const states = { 'hub/secret': done, 'a/install': done, 'a/join': snapshot, 'c/other': snapshot };
    const speaks = new Map<string, number | undefined>([['a', 2]]);
    const held = nextSteps(
      g,
      ['a/join', 'c/other'],
      view(states),
      0,
      () => true,
      undefined,
      (n) => speaks.get(n),
    );
    assert.deepEqual(held.steps, []);
    assert.deepEqual(held.held, [
      { id: 'a/join', node: 'a', reason: 'a speaks contract 2; etcd snapshots need 3' },
      { id: 'c/other', node: 'c', reason: 'c has not said which contract it speaks yet (its hello)' },
    ]);
    speaks.set('a', 3);
    speaks.set('c', 5);
    const sent = nextSteps(
      g,
      ['a/join', 'c/other'],
      view(states),
      0,
      () => true,
      undefined,
      (n) => speaks.get(n),
    );
    assert.deepEqual(sent.steps, [
      { id: 'a/join', action: 'send' },
      { id: 'c/other', action: 'send' },
    ]);
    assert.equal(sent.held, undefined);
  });

  it('a node named "hub" is a node like any other: its task goes to it, only a hub action is the hub’s', () => {
    const g2 = runGraph([
      { task_id: 'hub/install', deps: '[]' },
      { task_id: 'hub/secret', deps: '[]' },
    ]);
    const r = nextSteps(g2, g2.order, view({}), 0, () => true);
    assert.deepEqual(r.steps, [
      { id: 'hub/install', action: 'send' },
      { id: 'hub/secret', action: 'hub' },
    ]);
  });

  it('holds a retry until its time, and says when that is', () => {
    const done = { state: 'done' as const };
    const states = { 'hub/secret': done, 'a/install': done, 'a/join': { retryAt: 60_000 } };
    const early = nextSteps(g, ['a/join'], view(states), 59_999, online);
    assert.deepEqual(early, { steps: [], nextRetryAt: 60_000, deferred: [] });
    assert.deepEqual(nextSteps(g, ['a/join'], view(states), 60_000, online).steps, [{ id: 'a/join', action: 'send' }]);
  });

  it('decides what an answer does: late or progress is ignored, a retryable failure waits its backoff, then fails for good', () => {
    const backoff = (n: number) => 1000 * 2 ** (n - 1);
    const task = { node: 'a', state: 'dispatched' as const, attempt: 2, retries: 2 };
    const answer = { node: 'a', attempt: 2, status: 'TASK_STATUS_FAILED', retryable: true };
    assert.deepEqual(answerTransition(task, answer, 10_000, backoff), { to: 'retry', at: 12_000 });
    assert.deepEqual(answerTransition({ ...task, attempt: 3 }, { ...answer, attempt: 3 }, 10_000, backoff), {
      to: 'failed',
    });
    assert.deepEqual(answerTransition(task, { ...answer, retryable: false }, 10_000, backoff), { to: 'failed' });
    assert.deepEqual(answerTransition(task, { ...answer, attempt: 1 }, 10_000, backoff), { to: 'ignore' });
    assert.deepEqual(answerTransition(task, { ...answer, node: 'b' }, 10_000, backoff), { to: 'ignore' });
    assert.deepEqual(answerTransition(task, { ...answer, status: 'TASK_STATUS_RUNNING' }, 10_000, backoff), {
      to: 'ignore',
    });
    assert.deepEqual(answerTransition(task, { ...answer, status: 'TASK_STATUS_CHANGED' }, 10_000, backoff), {
      to: 'done',
    });
    assert.deepEqual(answerTransition({ ...task, state: 'done' }, answer, 10_000, backoff), { to: 'ignore' });
  });

  it('blocks everything downstream of a failure, and a rerun frees what that blocked', () => {
    assert.deepEqual(downstream(g, 'a/install').sort(), ['a/join', 'b/use', 'c/other']);
    const after = rows.map((r) => ({
      ...r,
      state: ['a/join', 'b/use', 'c/other'].includes(r.task_id) ? ('blocked' as const) : ('done' as const),
    }));
    assert.deepEqual([...rerunSet(after, ['a/install'])].sort(), ['a/install', 'a/join', 'b/use', 'c/other']);
  });

  it('holds installs beyond the limit back (deferred), counting those in flight, and never holds other work', () => {
    const wide = runGraph(
      ['n1', 'n2', 'n3', 'n4'].flatMap((n) => [
        { task_id: `${n}/apt`, deps: '[]' },
        { task_id: `${n}/file`, deps: '[]' },
      ]),
    );
    const pending = (id: string) => ({ state: 'pending' as const, node: id.split('/')[0]!, retryAt: 0 });
    let reads = 0;
    const limit = (max: number, inFlight: number) => ({
      max,
      isInstall: (id: string) => id.endsWith('/apt'),
      inFlight: () => (reads++, inFlight),
    });
    const two = nextSteps(wide, wide.order, pending, 0, () => true, limit(2, 0));
    assert.deepEqual(
      two.steps.map((x) => x.id),
      ['n1/apt', 'n1/file', 'n2/apt', 'n2/file', 'n3/file', 'n4/file'],
    );
    assert.deepEqual(two.deferred, ['n3/apt', 'n4/apt']);
    assert.equal(reads, 1, 'what is in flight is read once per turn');
    // One install still running elsewhere: one place left.
    const one = nextSteps(wide, ['n3/apt', 'n4/apt'], pending, 0, () => true, limit(2, 1));
    assert.deepEqual(one.steps, [{ id: 'n3/apt', action: 'send' }]);
    assert.deepEqual(one.deferred, ['n4/apt']);
    // No limit: everything goes.
    assert.equal(nextSteps(wide, wide.order, pending, 0, () => true).steps.length, 8);
    assert.ok(isInstallTask([{ kind: 'file' }, { kind: 'packages' }]));
    assert.ok(!isInstallTask([{ kind: 'file' }, { kind: 'command' }]));
  });
});
