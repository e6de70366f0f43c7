import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { execa } from 'execa';
import type { AgentClient } from '../../proto/gen/kubedos/v1/Agent.ts';
import type { HubMessage__Output } from '../../proto/gen/kubedos/v1/HubMessage.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { signCall } from '../../shared/auth/call-signature.ts';
import { contract } from '../../shared/proto/contract.ts';
import { hubChannel } from '../../shared/proto/hub-channel.ts';
import { makeNodeKeys, rejectionCode, startHub, tempDir, type HubFixture } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';
import { until } from '../support/until.ts';

const SESSION = '/kubedos.v1.Agent/Session';

/** Writes a file until the filesystem under `dir` has no room left. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // The last bytes that fit, so nothing is left at all.
    for (let n = 4096; n >= 1; n = Math.floor(n / 2))
      try {
        for (;;) fs.writeSync(fd, chunk.subarray(0, n));
      } catch {
        // next, smaller
      }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/**
 * The disk under the hub's state fills up: the hub refuses writes, says
 * so in `hubctl status`, and keeps serving its nodes' sessions and every
 * read; restarted with the disk still full it starts and says why; given
 * room it takes writes again by itself. The hub's state is on a small tmpfs
 * of the test's own (root: a mount).
 */
describe('hub: a full disk', function () {
  this.timeout(120_000);
  let mount: string | undefined;
  let f: HubFixture | undefined;
  let agent: AgentClient | undefined;

  before(async function () {
    requireSystem(this, { root: true, commands: ['mount', 'umount'] });
    mount = tempDir('full');
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', mount]);
  });
  after(async () => {
    agent?.close();
    await f?.close();
    if (mount) {
      await execa('umount', [mount], { reject: false });
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });

  it('refuses writes with a clear status, serves sessions and reads, starts again full, and recovers by itself', async () => {
    f = await startHub({ stateDir: path.join(mount!, 'hub') });
    const { credentials, options } = hubChannel(f.secrets.hubCaPem);
    agent = new (contract().Agent)(`127.0.0.1:${f.hub.port}`, credentials, options);
    await f.openWindow();
    const keys = makeNodeKeys();
    await f.enroll(f.request('w-1', keys));
    const status = () => f!.admin.call<object, StatusResponse__Output>((a) => a.Status, {});
    const session = () =>
      new Promise<{ welcome?: HubMessage__Output; code?: grpc.status }>((resolve) => {
        const md = new grpc.Metadata();
        for (const [k, v] of Object.entries(signCall(keys.identity.seed, SESSION, 'w-1'))) md.set(k, v);
        const call = agent!.Session(md);
        call.on('data', (m: HubMessage__Output) => {
          resolve({ welcome: m });
          call.cancel();
        });
        call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code }));
      });

    const filler = fill(mount!);
    // A write: refused, saying why; the hub is still up.
    const refused = await rejectionCode(f.enroll(f.request('w-2')));
    assert.equal(refused.code, grpc.status.UNAVAILABLE);
    assert.match(refused.details, /disk is full/);
    await assert.rejects(f.openWindow(), /disk is full/);
    const full = await status();
    assert.match(full.hubProblems.join('\n'), /the disk under .* is full.*writes are refused/);
    // Reads and sessions go on.
    assert.equal(full.nodes.find((n) => n.name === 'w-1')!.state, 'enrolled');
    assert.ok((await session()).welcome?.welcome, 'an enrolled node still gets its session');

    // Restarted with the disk still full: it starts, and says why once a write is refused.
    await f.restart();
    assert.ok((await session()).welcome?.welcome, 'served after a restart on a full disk');
    await assert.rejects(f.openWindow(), /disk is full/);
    assert.match((await status()).hubProblems.join('\n'), /is full/);

    // Room again: the next write goes through and the status clears by itself.
    fs.rmSync(filler);
    await until('the hub to take writes again', async () => {
      try {
        await f!.openWindow();
        return true;
      } catch {
        return undefined;
      }
    });
    assert.deepEqual((await status()).hubProblems, []);
    await f.enroll(f.request('w-2'));
  });
});
