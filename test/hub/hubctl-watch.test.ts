import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startHub, type HubFixture } from '../support/hub-fixture.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('hubctl status --watch', () => {
  let f: HubFixture;
  before(async () => (f = await startHub()));
  after(() => f.close());

  it('redraws in place, and the next frame shows what changed', async () => {
    const child = spawn(
      path.join(REPO, 'bin', 'hubctl'),
      ['--hub-dir', path.join(f.dir, 'hub'), 'status', '--watch', '--interval', '1s'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const frames = () => out.split('\x1b[H\x1b[2J').filter((x) => x.length > 0);
    const deadline = Date.now() + 60_000;
    while (frames().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(frames()[0]!, /16 nodes: 0 connected, 0 enrolled, 16 expected/);
    await f.openWindow();
    await f.enroll(f.request('w-1'));
    const seen = frames().length;
    while (frames().length <= seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    assert.match(frames().at(-1)!, /16 nodes: 0 connected, 1 enrolled, 15 expected, 0 lost \| w-\w+ open/);
  });
});
