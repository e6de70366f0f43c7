import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { runBin } from '../support/run-bin.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * A convergence that does not end done names its cause on every path: a
 * real fault is put in one node's way (the file its preflight writes,
 * /etc/hosts, is already a directory there), and `kubedos up`, `up --json`
 * and `hubctl converge` each end with the failed task, its node, its cause
 * in one line, the command that shows more, and what it blocked.
 */
describe('kubedos up names the task that failed, its node and its cause (sim, lab-3)', function () {
  this.timeout(5 * 60_000);
  let state: string;
  let runRoot: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    state = tempDir('upfail');
    runRoot = path.join(state, 'run');
    env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: state,
      XDG_STATE_HOME: path.join(state, 'xdg'),
    };
    // The fault: where etcd-1's preflight must write /etc/hosts, a directory (with a file in it) stands.
    fs.mkdirSync(path.join(runRoot, 'nodes', 'etcd-1', 'root', 'etc', 'hosts'), { recursive: true });
    fs.writeFileSync(path.join(runRoot, 'nodes', 'etcd-1', 'root', 'etc', 'hosts', 'in-the-way'), 'x');
  });
  after(async () => {
    await runBin('kubedos', ['down', '--run-dir', runRoot], env);
    fs.rmSync(state, { recursive: true, force: true });
  });

  const failedLine =
    /kubedos: {3}FAILED {2}etcd-1\/preflight \(attempt \d\): .*hosts.*\[hubctl logs etcd-1 preflight\]$/m;

  it('kubedos up --json: exit 3, the JSON carries the failure and the blocked tasks, stderr names them last', async () => {
    const topology = path.join(REPO, 'examples/lab-3.yaml');
    const up = await runBin(
      'kubedos',
      ['up', '--topology', topology, '--detach', '--run-dir', runRoot, '--json'],
      env,
      4 * 60_000,
    );
    assert.equal(up.code, 3, up.stderr);
    const status = JSON.parse(up.stdout) as StatusResponse__Output;
    const conv = status.convergence!;
    assert.equal(conv.state, 'failed');
    assert.deepEqual(
      conv.failures.map((f) => f.task),
      ['etcd-1/preflight'],
    );
    assert.ok(conv.counts!.blocked > 0);
    assert.equal(conv.blocked.length, conv.counts!.blocked);
    assert.ok(conv.blocked.every((b) => /^blocked by /.test(b.reason)));
    const tail = up.stderr.trimEnd().split('\n').slice(-4).join('\n');
    assert.match(up.stderr, /kubedos: convergence run \d+ ended failed: 1 failed, \d+ blocked, \d+ of \d+ tasks done/);
    assert.match(up.stderr, failedLine);
    assert.match(up.stderr, /kubedos: {3}BLOCKED by etcd-1\/preflight \(failed\): .*etcd-1\/etcd/);
    assert.match(tail, /lab-3 is up but did not converge/);
    assert.doesNotMatch(up.stderr, /^\s+at /m);
  });

  it('hubctl converge (and --json) exits 3 and names the same; hubctl logs shows the cause', async () => {
    for (const json of [[], ['--json']]) {
      const r = await runBin('hubctl', ['converge', ...json], env, 2 * 60_000);
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        /hubctl: {3}FAILED {2}etcd-1\/preflight \(attempt \d\): .*hosts.*\[hubctl logs etcd-1 preflight\]$/m,
      );
      assert.match(r.stderr, /hubctl: {3}BLOCKED by etcd-1\/preflight \(failed\)/);
    }
    const logs = await runBin('hubctl', ['logs', 'etcd-1', 'preflight'], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /etcd-1\/preflight: failed/);
  });
});
