import assert from 'node:assert/strict';
import { runProblems } from '../../hub/converge/run-problems.ts';
import { CONTROL_CHARACTERS, firstLine, inert } from '../../shared/text/inert.ts';

describe('runProblems: why a run did not end done, one line per cause', () => {
  const run = {
    runId: 7,
    state: 'failed',
    counts: { total: 40, done: 10, failed: 1, blocked: 30 },
    failures: [{ node: 'cp-1', task: 'cp-1/kubeadm-init', attempt: 3, error: 'exit 1\nsecond line\n' }],
    blocked: [
      ...Array.from({ length: 29 }, (_, i) => ({
        node: `w-${i}`,
        task: `w-${i}/kubeadm-join`,
        reason: 'blocked by cp-1/kubeadm-init (failed)',
      })),
      { node: 'lb-1', task: 'lb-1/haproxy', reason: 'cancelled by the operator' },
    ],
  };

  it('names each failed task with its node, its first line and the command that shows more', () => {
    const lines = runProblems(run, 'kubedos-hub ctl');
    assert.equal(lines[0], 'convergence run 7 ended failed: 1 failed, 30 blocked, 10 of 40 tasks done');
    assert.equal(lines[1], '  FAILED  cp-1/kubeadm-init (attempt 3): exit 1  [kubedos-hub ctl logs cp-1 kubeadm-init]');
  });

  it('groups blocked tasks by cause, naming up to 24 and counting the rest', () => {
    const lines = runProblems(run);
    const byFailure = lines.find((l) => l.startsWith('  BLOCKED by cp-1/kubeadm-init (failed): '))!;
    assert.match(byFailure, /w-0\/kubeadm-join, w-1\/kubeadm-join/);
    assert.match(byFailure, /w-23\/kubeadm-join and 5 more$/);
    assert.doesNotMatch(byFailure, /w-24\//);
    assert.ok(lines.includes('  BLOCKED (cancelled by the operator): lb-1/haproxy'));
  });

  it('says so when nothing failed or was blocked (a run ended another way)', () => {
    const lines = runProblems({ ...run, failures: [], blocked: [] });
    assert.match(lines[1]!, /no task failed or was blocked; "hubctl status" shows the run/);
  });

  it("renders a node's escape sequences inert, so they cannot hide or fake a line", () => {
    const evil = { ...run, failures: [{ ...run.failures[0]!, error: 'ok\u001b[2K\u001b[1Afake line\r\u009b31m' }] };
    const line = runProblems(evil)[1]!;
    assert.doesNotMatch(line, new RegExp(CONTROL_CHARACTERS.source));
    assert.match(line, /ok\\x1b\[2K\\x1b\[1Afake line\\x0d\\x9b31m/);
    assert.equal(inert('a\tb\nc'), 'a\tb\nc');
    assert.equal(firstLine('\n\n  x\ny'), 'x');
    assert.equal(firstLine('y'.repeat(300)).length, 200);
  });
});
