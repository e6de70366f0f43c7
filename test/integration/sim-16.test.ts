import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { tempDir } from '../support/hub-fixture.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * Runs a bin/ command the way an operator does: from a plain shell whose PATH
 * has only the machine's own (older) node, so the test also proves the
 * wrappers run on the pinned Node 24.
 */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(REPO, 'bin', cmd),
      args,
      { env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('kubedos up on the sim substrate (16 real minion processes)', function () {
  let state: string;
  let runRoot: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    state = tempDir('sim16');
    runRoot = path.join(state, 'run');
    env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: state,
      XDG_STATE_HOME: path.join(state, 'xdg'),
    };
  });
  after(async () => {
    await run('kubedos', ['down', '--run-dir', runRoot], env);
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('brings all 16 nodes to connected; hubctl status --json shows 48 distinct plane addresses', async () => {
    const up = await run('kubedos', ['up', '--detach', '--run-dir', runRoot, '--json'], env);
    assert.equal(up.code, 0, up.stderr);
    const fromUp = JSON.parse(up.stdout) as StatusResponse__Output;
    assert.equal(fromUp.summary!.connected, 16);

    const st = await run('hubctl', ['status', '--json'], env);
    assert.equal(st.code, 0, st.stderr);
    const status = JSON.parse(st.stdout) as StatusResponse__Output;
    assert.equal(status.nodes.length, 16);
    assert.ok(
      status.nodes.every((n) => n.state === 'connected'),
      JSON.stringify(status.nodes.map((n) => [n.name, n.state])),
    );
    const addresses = status.nodes.flatMap((n) => n.planes.map((p) => p.address));
    assert.equal(addresses.length, 48);
    assert.equal(new Set(addresses).size, 48);

    assert.equal(status.convergence?.state, 'done', 'kubedos up converges the platform after enrollment');
    assert.equal(status.convergence?.counts?.failed, 0);

    const human = await run('hubctl', ['status'], env);
    assert.match(human.stdout, /platform-16: 16 nodes: 16 connected/);
    assert.match(human.stdout, /w-1 +│ worker +│ connected +│ 10\.78\.0\.41/);
  });

  it('a second convergence changes nothing', async () => {
    const again = await run('hubctl', ['converge', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    const run2 = JSON.parse(again.stdout) as {
      state: string;
      counts: { total: number; done: number; changed: number };
    };
    assert.equal(run2.state, 'done');
    assert.ok(run2.counts.total > 0);
    assert.equal(run2.counts.done, run2.counts.total);
    assert.equal(run2.counts.changed, 0);
    const etcdConf = fs.readdirSync(path.join(runRoot, 'nodes', 'etcd-1', 'root', 'etc'));
    assert.ok(etcdConf.length > 0, 'tasks wrote files under the node root');
  });

  it('keeps every key file private', () => {
    const stateDir = path.join(runRoot, 'nodes', 'w-1', 'state');
    for (const f of ['identity.key', 'wg1.key', 'wg2.key', 'wg3.key', 'enrollment.json']) {
      assert.equal(fs.statSync(path.join(stateDir, f)).mode & 0o777, 0o600, f);
    }
    assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(runRoot, 'secrets', 'hub', 'hub-tls-ca.key')).mode & 0o777, 0o600);
  });

  it('shows a node whose minion died as lost', async () => {
    const processes = JSON.parse(fs.readFileSync(path.join(runRoot, 'processes.json'), 'utf8')) as Array<{
      name: string;
      pid: number;
    }>;
    // The record is what `kubedos down` needs, nothing of the process objects the deployer held.
    for (const p of processes) assert.deepEqual(Object.keys(p).sort(), ['name', 'pid']);
    process.kill(processes.find((p) => p.name === 'w-3')!.pid, 'SIGKILL');
    let state = '';
    for (let i = 0; i < 60 && state !== 'lost'; i++) {
      const st = JSON.parse((await run('hubctl', ['status', '--json'], env)).stdout) as StatusResponse__Output;
      state = st.nodes.find((n) => n.name === 'w-3')!.state;
      if (state !== 'lost') await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(state, 'lost');
  });

  it('gives clear errors, never a stack trace', async () => {
    const noHub = await run('hubctl', ['--hub-dir', path.join(state, 'nowhere'), 'status'], env);
    assert.equal(noHub.code, 2);
    assert.match(noHub.stderr, /hubctl: no hub is running at .*nowhere/);
    assert.doesNotMatch(noHub.stderr, /^\s+at /m);

    const bad = path.join(state, 'bad.yaml');
    fs.writeFileSync(bad, 'name: broken\nnodes: []\n');
    const badUp = await run('kubedos', ['up', '--topology', bad, '--run-dir', path.join(state, 'bad-run')], env);
    assert.equal(badUp.code, 2);
    assert.match(badUp.stderr, /invalid topology .*bad\.yaml/);
    assert.ok(!fs.existsSync(path.join(state, 'bad-run')), 'nothing half-written for a bad topology');

    const badTtl = await run('hubctl', ['enroll', 'open', '--ttl', 'soon'], env);
    assert.notEqual(badTtl.code, 0);
    assert.match(badTtl.stderr, /a duration such as 90s/);
  });

  it('kubedos down stops every process it started', async () => {
    const processes = JSON.parse(fs.readFileSync(path.join(runRoot, 'processes.json'), 'utf8')) as Array<{
      pid: number;
    }>;
    const down = await run('kubedos', ['down', '--run-dir', runRoot], env);
    assert.equal(down.code, 0, down.stderr);
    const alive = processes.filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(runRoot);
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, []);
  });
});
