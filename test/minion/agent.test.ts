import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeNodeFiles } from '../../deploy/local/node-files.ts';
import { Agent } from '../../minion/agent.ts';
import { loadIdentityFile, loadMinionConfig } from '../../minion/config.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { memoryLogger, startHub, type HubFixture } from '../support/hub-fixture.ts';
import { until } from '../support/until.ts';
import { generateSigningKeyPair, signingKeyPairFromSeed } from '../../shared/keys/ed25519.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';

describe('minion agent', function () {
  let f: HubFixture;
  let controller: AbortController;
  let running: Promise<void>;
  let log: ReturnType<typeof memoryLogger>;
  let stateDir: string;
  let configFile: string;

  const nodeState = async (node: string) => {
    const s = await f.admin.call<object, StatusResponse__Output>((a) => a.Status, {});
    return s.nodes.find((n) => n.name === node)!;
  };

  before(async () => {
    f = await startHub();
    configFile = writeNodeFiles(path.join(f.dir, 'w-1'), 'w-1', f.secrets, { hub: `127.0.0.1:${f.hub.port}` });
    const config = loadMinionConfig(configFile);
    stateDir = config.stateDir;
    log = memoryLogger();
    controller = new AbortController();
    running = new Agent(config, loadIdentityFile(config.identityFile), log).run(controller.signal);
  });
  after(async () => {
    controller.abort();
    await running;
    await f.close();
  });

  it('waits while no window is open, and says why', async () => {
    await until(
      'the agent to report the closed window',
      () =>
        log.lines.some((l) => /enrollment not accepted yet.*no enrollment window is open for w-1/.test(l)) || undefined,
    );
    assert.equal((await nodeState('w-1')).state, 'expected');
  });

  it('enrolls and connects once a window opens, keeping its keys private', async () => {
    await f.openWindow({ nodes: ['w-1'] });
    await until('w-1 connected', async () => ((await nodeState('w-1')).state === 'connected' ? true : undefined));
    for (const file of ['identity.key', 'wg1.key', 'wg2.key', 'wg3.key', 'enrollment.json']) {
      assert.equal(fs.statSync(path.join(stateDir, file)).mode & 0o777, 0o600, file);
    }
  });

  it('reconnects by itself after the hub restarts', async () => {
    await f.restart();
    await until('w-1 connected again', async () => ((await nodeState('w-1')).state === 'connected' ? true : undefined));
  });

  it('keeps its keys when the hub comes back without its state, and reconnects with them once the state is back', async () => {
    const key = () => fs.readFileSync(path.join(stateDir, 'identity.key'), 'utf8');
    const before = key();
    const hubDir = path.join(f.dir, 'hub');
    const aside = path.join(f.dir, 'hub-db-aside');
    const dbFiles = () => fs.readdirSync(hubDir).filter((n) => /^hub\.db(-wal|-shm)?$/.test(n));
    // The master's disk lost: the hub starts with an empty database (the same TLS CA: a master redeployed from the run dir).
    await f.restart(() => {
      fs.mkdirSync(aside);
      for (const n of dbFiles()) fs.renameSync(path.join(hubDir, n), path.join(aside, n));
    });
    await until(
      'the node to say the hub does not know its keys',
      () => (log.lines.some((l) => /does not know this node's keys/.test(l)) ? true : undefined),
      30_000,
    );
    const knocking = await until('hubctl status to show the knock', async () => {
      const n = await nodeState('w-1');
      return n.refused.some((r) => /keys this hub does not know/.test(r)) ? n : undefined;
    });
    assert.equal(knocking.state, 'expected');
    assert.equal(key(), before, 'the identity key is kept');
    assert.ok(fs.existsSync(path.join(stateDir, 'enrollment.json')), 'the enrollment is kept');
    // The state comes back (a restore): the node reconnects with the same identity, without enrolling again.
    await f.restart(() => {
      for (const n of dbFiles()) fs.rmSync(path.join(hubDir, n));
      for (const n of fs.readdirSync(aside)) fs.renameSync(path.join(aside, n), path.join(hubDir, n));
    });
    const back = await until(
      'w-1 connected again',
      async () => {
        const n = await nodeState('w-1');
        return n.state === 'connected' ? n : undefined;
      },
      60_000,
    );
    assert.equal(back.generation, 1);
    assert.deepEqual(back.refused, []);
    assert.equal(key(), before);
  });

  it('after hubctl replace, its spent credential is refused; with a new seed it makes new keys and enrolls again', async () => {
    const before = fs.readFileSync(path.join(stateDir, 'identity.key'), 'utf8');
    // The deployer's part of a replace: a new credential for the node, the hub told its public half.
    const identityFile = loadMinionConfig(configFile).identityFile;
    const credentialSeed = generateSigningKeyPair().seed;
    await f.admin.call((a) => a.ReplaceNode, {
      node: 'w-1',
      credentialPublicKey: Buffer.from(signingKeyPairFromSeed(credentialSeed).publicKey),
    });
    await until('the agent to notice', () => (log.lines.some((l) => /replaced/.test(l)) ? true : undefined));
    assert.equal((await nodeState('w-1')).state, 'expected');
    await f.openWindow({ nodes: ['w-1'] });
    // With its old seed the node cannot come back, window or not.
    await until('the old credential refused', () =>
      log.lines.some((l) => /no enrollment credential of this hub/.test(l)) ? true : undefined,
    );
    assert.equal((await nodeState('w-1')).state, 'expected');
    // Its new seed (a redeploy writes it): the next try enrolls, with new keys.
    const identity = JSON.parse(fs.readFileSync(identityFile, 'utf8')) as Record<string, unknown>;
    writeFileAtomic(
      identityFile,
      JSON.stringify({ ...identity, credentialSeed: Buffer.from(credentialSeed).toString('base64') }),
      0o600,
    );
    const after = await until(
      'w-1 connected with new keys',
      async () => {
        const n = await nodeState('w-1');
        return n.state === 'connected' && n.generation === 2 ? n : undefined;
      },
      60_000,
    );
    assert.equal(after.planes.find((p) => p.plane === 'wg1')?.address, '10.78.0.41', 'same address after replace');
    assert.notEqual(fs.readFileSync(path.join(stateDir, 'identity.key'), 'utf8'), before, 'a new identity key');
  });
});
