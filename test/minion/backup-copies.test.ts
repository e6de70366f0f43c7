import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeNodeFiles } from '../../deploy/toolkit/node-files.ts';
import { Agent } from '../../minion/agent.ts';
import { HUB_BACKUP_COPIES_DIR } from '../../minion/backup-copies.ts';
import { loadIdentityFile, loadMinionConfig } from '../../minion/config.ts';
import { minionHandlers } from '../../minion/handlers.ts';
import type { HubBackupInfo__Output } from '../../proto/gen/kubedos/v1/HubBackupInfo.ts';
import type { HubBackupResponse__Output } from '../../proto/gen/kubedos/v1/HubBackupResponse.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { memoryLogger, startHub, type HubFixture } from '../support/hub-fixture.ts';
import { until } from '../support/until.ts';

/**
 * The hub's backups leave the master: each one taken goes to the storage
 * node over its session, which keeps it (0600, checked against the hub's
 * checksum); one taken while the storage node was away goes when it comes
 * back. A real hub and the storage node's real minion with its real handlers.
 */
describe('hub backups: copied to the storage node', function () {
  let f: HubFixture;
  let stop: (() => Promise<void>) | undefined;
  let root: string;

  after(async () => {
    await stop?.();
    await f?.close();
  });

  function startStorage(configFile: string): void {
    const config = loadMinionConfig(configFile);
    const log = memoryLogger();
    const controller = new AbortController();
    const running = new Agent(config, loadIdentityFile(config.identityFile), log, minionHandlers(config, log)).run(
      controller.signal,
    );
    stop = async () => {
      controller.abort();
      await running;
      stop = undefined;
    };
  }

  const kept = (name: string) => path.join(root, HUB_BACKUP_COPIES_DIR, name);
  const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const backups = async () =>
    (await f.admin.call<object, { backups: HubBackupInfo__Output[] }>((a) => a.ListHubBackups, {})).backups;
  const connected = async () =>
    (await f.admin.call<object, StatusResponse__Output>((a) => a.Status, {})).nodes.find((n) => n.name === 'storage')
      ?.state === 'connected'
      ? true
      : undefined;

  it('keeps each backup the hub takes, and one taken while it was away once it is back', async () => {
    f = await startHub();
    const configFile = writeNodeFiles(path.join(f.dir, 'storage'), 'storage', f.secrets, {
      hub: `127.0.0.1:${f.hub.port}`,
    });
    root = loadMinionConfig(configFile).root!;
    startStorage(configFile);
    await f.openWindow({ nodes: ['storage'] });
    await until('the storage node connected', connected);

    const first = (await f.admin.call<object, HubBackupResponse__Output>((a) => a.HubBackup, {})).backup!;
    await until('the storage node to keep it', () => (fs.existsSync(kept(first.name)) ? true : undefined));
    assert.equal(sha256(kept(first.name)), first.sha256);
    assert.equal(fs.statSync(kept(first.name)).mode & 0o777, 0o600);
    const listed = await until('the hub to know the copy', async () => {
      const b = (await backups()).find((x) => x.name === first.name);
      return b?.copiedTo.length ? b : undefined;
    });
    assert.deepEqual(listed.copiedTo, ['storage']);

    // Away while the next one is taken; it gets it when it is back.
    await stop!();
    await new Promise((r) => setTimeout(r, 10));
    const second = (await f.admin.call<object, HubBackupResponse__Output>((a) => a.HubBackup, {})).backup!;
    assert.ok(!fs.existsSync(kept(second.name)));
    startStorage(configFile);
    await until('the storage node to keep the one taken while it was away', () =>
      fs.existsSync(kept(second.name)) ? true : undefined,
    );
    assert.equal(sha256(kept(second.name)), second.sha256);
  });
});
