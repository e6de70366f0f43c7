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

describe('hubctl status --changed-from (a deploy waiting on a hub in a VM)', () => {
  let f: HubFixture;
  before(async () => (f = await startHub()));
  after(() => f.close());

  const statusFrom = (args: string[]) =>
    new Promise<{ nodes: { name: string; state: string }[]; changeKey: string }>((resolve, reject) => {
      const child = spawn(
        path.join(REPO, 'bin', 'hubctl'),
        ['--hub-dir', path.join(f.dir, 'hub'), 'status', '--json', '--no-kubernetes', ...args],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`hubctl exited ${code}: ${err}`));
        resolve(JSON.parse(out) as { nodes: { name: string; state: string }[]; changeKey: string });
      });
    });

  it('answers at once for another key, and otherwise once a node’s state changes, with the new key', async () => {
    const first = await statusFrom(['--changed-from', 'not-a-key']);
    assert.equal(first.nodes.find((n) => n.name === 'w-1')?.state, 'expected');
    // Asked with the current key, it waits (up to a minute) until the progress changes: w-1 enrolls meanwhile.
    const waiting = statusFrom(['--changed-from', first.changeKey, '--wait-max', '60s']);
    await new Promise((r) => setTimeout(r, 1500));
    await f.openWindow();
    await f.enroll(f.request('w-1'));
    const next = await waiting;
    assert.equal(next.nodes.find((n) => n.name === 'w-1')?.state, 'enrolled');
    assert.notEqual(next.changeKey, first.changeKey);
  });

  it('answers with the same key when nothing changed within --wait-max', async () => {
    const now = await statusFrom(['--changed-from', 'not-a-key']);
    const later = await statusFrom(['--changed-from', now.changeKey, '--wait-max', '1s']);
    assert.equal(later.changeKey, now.changeKey);
  });
});
