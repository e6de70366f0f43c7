import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeNodeFiles } from '../../deploy/toolkit/node-files.ts';
import { Agent } from '../../minion/agent.ts';
import { loadIdentityFile, loadMinionConfig } from '../../minion/config.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { memoryLogger, startHub, type HubFixture } from '../support/hub-fixture.ts';
import { until } from '../support/until.ts';
import { generateSigningKeyPair, signingKeyPairFromSeed } from '../../shared/keys/ed25519.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { HubBackupResponse__Output } from '../../proto/gen/kubedos/v1/HubBackupResponse.ts';
import { runBin } from '../support/run-bin.ts';
import { fetchKubeconfig } from '../../hub/cli/kubeconfig.ts';
import zlib from 'node:zlib';
import { HUB_BACKUP_FORMAT } from '../../hub/backup/hub-backup.ts';
import { seal } from '../../shared/crypto/sealed-box.ts';
import { fromBase64Key } from '../../shared/keys/wireguard.ts';
import { DEFAULT_TOPOLOGY } from '../../shared/topology/load.ts';

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

  it('keeps its keys when the master comes back without the hub’s state, and reconnects with them once a backup is restored', async () => {
    const key = () => fs.readFileSync(path.join(stateDir, 'identity.key'), 'utf8');
    const before = key();
    const hubDir = path.join(f.dir, 'hub');
    const pkiFiles = () =>
      Object.fromEntries(
        fs.readdirSync(path.join(hubDir, 'pki'), { recursive: true, encoding: 'utf8' }).flatMap((n) => {
          const file = path.join(hubDir, 'pki', n);
          return fs.statSync(file).isFile() ? [[n, fs.readFileSync(file, 'base64')]] : [];
        }),
      );
    // The cluster's CA, made by the hub on first use (here: an operator's kubeconfig).
    await fetchKubeconfig(f.admin, { out: path.join(f.dir, 'kubeconfig'), ttlMs: 3_600_000, user: 'test' });
    const caBefore = pkiFiles();
    assert.ok(
      Object.keys(caBefore).some((n) => n.endsWith('.key')),
      'the hub has CA keys to lose',
    );
    // The operator's copy, off the master: sealed to the recovery key, which the master does not hold.
    const backupFile = path.join(f.dir, 'hub-backup.kdbackup');
    const taken = await f.admin.call<object, HubBackupResponse__Output>((a) => a.HubBackup, { includeData: true });
    fs.writeFileSync(backupFile, taken.data);
    assert.equal(taken.backup!.bytes, taken.data.length);
    assert.doesNotMatch(taken.data.toString('latin1'), /SQLite format|BEGIN .*PRIVATE KEY/, 'nothing readable in it');
    // The master's disk lost: a hub starts with no state at all (the same TLS CA: the master redeployed from the run dir).
    await f.restart(() => fs.rmSync(hubDir, { recursive: true, force: true }));
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
    // A new master: its hub state restored from the backup before the hub starts (kubedos-hub restore, as run there).
    let restored: { code: number; stdout: string; stderr: string } | undefined;
    await f.restart(async () => {
      fs.rmSync(hubDir, { recursive: true, force: true });
      const common = ['restore', '--state-dir', hubDir, '--topology', DEFAULT_TOPOLOGY];
      const args = [...common, '--backup', backupFile, '--tls-ca-cert', f.secrets.hubCaCertPath];
      const wrongKey = path.join(f.dir, 'wrong.key');
      fs.writeFileSync(wrongKey, Buffer.alloc(32, 7).toString('base64'));
      const refused = await runBin('kubedos-hub', [...args, '--recovery-key', wrongKey], process.env);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /does not open with this key/);
      // A file anyone could seal with the recovery key's public half (it is on the master), but not signed by the hub.
      const forged = path.join(f.dir, 'forged.kdbackup');
      const recipient = fromBase64Key(fs.readFileSync(f.secrets.backupRecipientPath, 'utf8'));
      const bundle = { format: HUB_BACKUP_FORMAT, deployment: f.topology.name, takenAtMs: Date.now(), files: [] };
      fs.writeFileSync(forged, seal(zlib.gzipSync(JSON.stringify({ ...bundle, signature: 'AAAA' })), recipient));
      const unsigned = await runBin(
        'kubedos-hub',
        [
          ...common,
          '--backup',
          forged,
          '--tls-ca-cert',
          f.secrets.hubCaCertPath,
          '--recovery-key',
          f.secrets.recoveryKeyPath,
        ],
        process.env,
      );
      assert.equal(unsigned.code, 2, unsigned.stderr);
      assert.match(unsigned.stderr, /not signed by this deployment's hub/);
      assert.ok(!fs.existsSync(path.join(hubDir, 'hub.db')), 'nothing written on a refusal');
      restored = await runBin('kubedos-hub', [...args, '--recovery-key', f.secrets.recoveryKeyPath], process.env);
    });
    assert.equal(restored!.code, 0, restored!.stderr);
    const back = await until(
      'w-1 connected again',
      async () => {
        const n = await nodeState('w-1');
        return n.state === 'connected' ? n : undefined;
      },
      60_000,
    );
    assert.equal(back.generation, 1, 'not enrolled again');
    assert.deepEqual(back.refused, []);
    assert.equal(key(), before);
    assert.deepEqual(pkiFiles(), caBefore, 'the same CAs and keys');
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
