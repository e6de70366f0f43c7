import assert from 'node:assert/strict';
import { nodeLines } from '../../deploy/pipeline/node-phases.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';

function status(
  nodes: Array<[string, string]>,
  run?: { runId: number; state: string; nodes: Array<[string, number, number, string[]]> },
): StatusResponse__Output {
  return {
    nodes: nodes.map(([name, state]) => ({ name, state })),
    convergence: run && {
      runId: run.runId,
      state: run.state,
      nodes: run.nodes.map(([node, total, done, failed]) => ({ node, total, done, failed, running: [], blocked: 0 })),
    },
  } as unknown as StatusResponse__Output;
}

describe('per-node progress of `kubedos up`, from the hub’s status', function () {
  it('names each node’s phase from what the hub reports: starting, enrolling, connected, lost', function () {
    const lines = nodeLines(
      status([
        ['etcd-1', 'expected'],
        ['etcd-2', 'enrolled'],
        ['etcd-3', 'connected'],
        ['w-1', 'lost'],
      ]),
    );
    assert.deepEqual(
      lines.map((l) => [l.node, l.phase, l.step]),
      [
        ['etcd-1', 'starting', 0],
        ['etcd-2', 'enrolling', 1],
        ['etcd-3', 'connected', 2],
        ['w-1', 'lost', 2],
      ],
    );
  });

  it('follows only the run it was given: converging with its task count, converged, failed with the task, blocked', function () {
    const nodes: Array<[string, string]> = [
      ['a', 'connected'],
      ['b', 'connected'],
      ['c', 'connected'],
      ['d', 'connected'],
    ];
    const run = {
      runId: 7,
      state: 'running',
      nodes: [
        ['a', 5, 2, []],
        ['b', 5, 5, []],
        ['c', 5, 3, ['etcd-service']],
      ] as Array<[string, number, number, string[]]>,
    };
    // An older run in the status is not this one: everyone is merely connected.
    assert.ok(nodeLines(status(nodes, { ...run, runId: 6 }), 7).every((l) => l.phase === 'connected'));
    const lines = nodeLines(status(nodes, run), 7);
    assert.deepEqual(
      lines.map((l) => [l.node, l.phase, l.detail]),
      [
        ['a', 'converging', '2/5 tasks'],
        ['b', 'converged', '5/5 tasks'],
        ['c', 'failed', 'etcd-service'],
        ['d', 'converged', 'no tasks'],
      ],
    );
    const ended = nodeLines(status(nodes, { ...run, state: 'failed' }), 7);
    assert.deepEqual(ended[0], { node: 'a', phase: 'failed', step: 3, detail: '2/5 tasks, blocked' });
  });
});
