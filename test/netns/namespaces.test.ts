import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { NetnsLab } from '../../deploy/substrates/netns/namespaces.ts';
import { requireSystem } from '../support/requirements.ts';

describe('netns lab', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(function () {
    requireSystem(this, { root: true, commands: ['ip', 'ping'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-lab-'));
  });
  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('connects namespaces on a bridge and tears down exactly what it created', async function () {
    const stateFile = path.join(dir, 'state.json');
    const lab = NetnsLab.open(stateFile, 'kdwt');
    try {
      await lab.addBridge('kdwt-br0');
      await lab.addNamespace('kdwt-a', { bridge: 'kdwt-br0', address: '10.250.0.1/24' });
      await lab.addNamespace('kdwt-b', { bridge: 'kdwt-br0', address: '10.250.0.2/24' });
      const ping = await lab.exec('kdwt-a', ['ping', '-c1', '-W2', '10.250.0.2']);
      assert.equal(ping.exitCode, 0);
      const pid = lab.spawn('kdwt-b', ['sleep', '600']);
      assert.ok(lab.isRunning(pid));
      // A second handle on the same state file (as after a crash) sees and removes everything.
      const again = NetnsLab.open(stateFile, 'kdwt');
      assert.deepEqual(again.namespaces, ['kdwt-a', 'kdwt-b']);
      await again.teardown();
      assert.ok(!lab.isRunning(pid));
      assert.ok(!fs.existsSync('/run/netns/kdwt-a') && !fs.existsSync('/run/netns/kdwt-b'));
      assert.notEqual((await execa('ip', ['link', 'show', 'kdwt-br0'], { reject: false })).exitCode, 0);
      assert.notEqual((await execa('ip', ['link', 'show', 'kdwtv0'], { reject: false })).exitCode, 0);
      assert.ok(!fs.existsSync(stateFile));
    } finally {
      await NetnsLab.open(stateFile, 'kdwt').teardown();
    }
  });

  it('refuses names outside its tag', function () {
    const lab = NetnsLab.open(path.join(dir, 'state.json'), 'kdwt');
    return assert.rejects(lab.addBridge('br0'), /must start with "kdwt"/);
  });
});
