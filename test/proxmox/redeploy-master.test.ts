import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { smallMedia, stampWith, topologyFor } from '../support/proxmox/fixtures.ts';
import { LocalPve } from '../support/proxmox/local-pve.ts';

/**
 * `kubedos redeploy master` refuses, before it destroys anything, whatever
 * would leave a deployment without its hub: the master with other nodes,
 * a backup that does not open with the deployment's recovery key, and no
 * backup at all. (The whole redeploy, installed and reconnected, is in the
 * VM lab: test/vm/lab.test.ts.)
 */
describe('kubedos redeploy master: refused before anything is destroyed', function () {
  this.timeout(60_000);
  let pve: LocalPve;
  let dir: string;
  let t: Topology;
  let file: string;
  let media: ReturnType<typeof smallMedia>;

  before(async () => {
    pve = await LocalPve.start({ nodes: ['pve1'] });
    dir = tempDir('redeploy-master');
    ({ topology: t, file } = topologyFor(pve, 'lab-3.yaml', dir));
    media = smallMedia(t, dir);
    await stampWith(pve, t, file, media);
  });
  after(async () => {
    const violations = [...pve.violations];
    await pve.close();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(violations, [], 'every request conforms to the official API schema');
  });

  async function refused(extra: { only: string[]; backup?: string }, why: RegExp): Promise<void> {
    const writes = pve.writes().length;
    const vms = [...pve.vms.values()].map((v) => `${v.vmid} ${v.config.meta}`);
    await assert.rejects(
      stampWith(pve, t, file, media, { until: 'converge', ...extra }),
      (err: Error) => err instanceof UserError && why.test(err.message),
    );
    assert.deepEqual(pve.writes().slice(writes), [], 'nothing written to Proxmox');
    assert.deepEqual(
      [...pve.vms.values()].map((v) => `${v.vmid} ${v.config.meta}`),
      vms,
      'every VM as it was',
    );
  }

  it('the master with other nodes', async () => {
    await refused({ only: ['master', 'cp-1'] }, /the master is redeployed alone/);
  });

  it('a backup that does not open with the recovery key (changed, or another deployment’s)', async () => {
    const bad = path.join(dir, 'bad.kdbackup');
    fs.writeFileSync(bad, Buffer.alloc(4096, 7), { mode: 0o600 });
    await refused({ only: ['master'], backup: bad }, /the backup cannot be restored/);
  });

  it('no backup anywhere: the old master does not answer, no storage node keeps one', async () => {
    await refused({ only: ['master'] }, /no hub backup to start the new master from/);
  });

  it('--backup with another node', async () => {
    await refused({ only: ['cp-1'], backup: path.join(dir, 'bad.kdbackup') }, /--backup is for redeploy of the master/);
  });
});
