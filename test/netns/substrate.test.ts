/**
 * `kubedos up --substrate netns` on the 16-node topology: real hub in the
 * master's namespace, a real minion in every namespace, real enrollment;
 * then `down` leaves no namespace, interface or process behind.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { netnsDown, netnsUp, type NetnsDeployment } from '../../deploy/netns/substrate.ts';
import { pingFrom } from '../../deploy/netns/plane-probes.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../../shared/topology/load.ts';
import { requireSystem } from '../support/requirements.ts';

const TAG = 'kdws';

async function leftovers(): Promise<string[]> {
  const ns = (await execa('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(`${TAG}-`));
  const links = (await execa('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .filter((l) => new RegExp(`^\\d+: ${TAG}`).test(l));
  return [...ns, ...links];
}

describe('netns substrate', function () {
  this.timeout(300_000);
  let dir: string;
  let d: NetnsDeployment | undefined;
  const t = loadTopology();

  before(function () {
    requireSystem(this, { root: true, commands: ['ip', 'wg', 'wireguard-go', 'nft', 'ping'], files: ['/dev/net/tun'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-substrate-'));
  });
  after(async () => {
    if (dir) {
      await netnsDown(path.join(dir, 'run'));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('brings every node up in its own namespace, enrolled and connected, then down removes all of it', async () => {
    const runRoot = path.join(dir, 'run');
    d = await netnsUp({
      topology: t,
      topologyFile: DEFAULT_TOPOLOGY,
      runRoot,
      timeoutMs: 240_000,
      windowTtlMs: 600_000,
      signal: new AbortController().signal,
      quiet: true,
      tag: TAG,
    });
    assert.equal(d.status.summary!.connected, t.nodes.length);
    // Each node is on the LAN with its topology address, in its own namespace.
    const addr = await d.runOn('w-1')(['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addr.stdout, /inet 10\.10\.0\.41\/24/);
    assert.equal(await pingFrom(d.runOn('w-1'), '10.10.0.10'), true);
    if (d.planesReadyMs !== undefined) {
      assert.equal(await pingFrom(d.runOn('w-1'), '10.78.0.1'), true);
    }
    const pids = d.lab.processes.map((p) => p.pid);
    assert.equal(pids.length, t.nodes.length + 1, 'hub + one minion per node');
    assert.ok((await leftovers()).length > 0);

    assert.equal(await netnsDown(runRoot), t.nodes.length);
    assert.deepEqual(await leftovers(), []);
    for (const pid of pids)
      assert.ok(!fs.existsSync(`/proc/${pid}`) || !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runRoot));
    assert.equal(await netnsDown(runRoot), 0, 'a second down finds nothing');
  });
});
