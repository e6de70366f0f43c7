import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/hub-fixture.ts';
import { runBin } from '../support/run-bin.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

/** Every process's environment this machine shows us (NUL-separated, as in /proc/PID/environ). */
function environments(): string[] {
  return fs.readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return [];
    try {
      return [`${fs.readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`];
    } catch {
      return [];
    }
  });
}

/**
 * `kubedos down` with no options finds the deployment that is up (one
 * started with --topology, which a plain `down` used to miss: "stopped 0
 * processes"), and asks which when several are.
 */
describe('kubedos down finds the running deployment itself', function () {
  this.timeout(240_000);
  let state: string;
  let env: NodeJS.ProcessEnv;
  let second: string;

  before(() => {
    state = tempDir('down');
    env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: state,
      XDG_STATE_HOME: path.join(state, 'xdg'),
    };
    second = path.join(state, 'lab-3b.yaml');
    fs.writeFileSync(
      second,
      fs.readFileSync(path.join(REPO, 'examples/lab-3.yaml'), 'utf8').replace(/^name: lab-3$/m, 'name: lab-3b'),
    );
  });
  after(async () => {
    for (const t of ['examples/lab-3.yaml', second]) await runBin('kubedos', ['down', '--topology', t], env);
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('stops the one that is up; with two up, names both and stops neither', async () => {
    // A Proxmox token in kubedos's environment is taken out of it first thing: the hub and minions it starts lack it.
    const token = 'root@pam!kubedos=not-for-children-7f3a';
    const up = await runBin(
      'kubedos',
      ['up', '--detach', '--no-converge', '--topology', 'examples/lab-3.yaml'],
      { ...env, KUBEDOS_PROXMOX_TOKEN: token },
      120_000,
    );
    assert.equal(up.code, 0, up.stderr);
    const children = environments().filter((e) => e.includes(`XDG_STATE_HOME=${env.XDG_STATE_HOME}\0`));
    assert.ok(children.length >= 4, `the hub and three minions, found ${children.length}`);
    assert.ok(!children.some((e) => e.includes(token)), 'no process kubedos started has the token');
    const down = await runBin('kubedos', ['down'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /stopped 4 processes .*lab-3-sim/);

    for (const t of ['examples/lab-3.yaml', second]) {
      const r = await runBin('kubedos', ['up', '--detach', '--no-converge', '--topology', t], env, 120_000);
      assert.equal(r.code, 0, r.stderr);
    }
    const ambiguous = await runBin('kubedos', ['down'], env);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /2 deployments are up: lab-3-sim \(sim\), lab-3b-sim \(sim\)/);
    assert.match(ambiguous.stderr, /say which/);
    const one = await runBin('kubedos', ['down', '--topology', second], env);
    assert.match(one.stderr, /stopped 4 processes .*lab-3b-sim/);
    const last = await runBin('kubedos', ['down'], env);
    assert.match(last.stderr, /stopped 4 processes .*lab-3-sim/);
    assert.match((await runBin('kubedos', ['down'], env)).stderr, /no local deployment is up/);
  });
});
