import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  isUpid,
  oneLine,
  ProxmoxApiError,
  ProxmoxTaskError,
  upidFrom,
} from '../../deploy/substrates/proxmox/api-client.ts';
import { UserError } from '../../shared/errors.ts';
import { checkRequest } from '../support/proxmox/api-schema.ts';
import { apiTo } from '../support/proxmox/fixtures.ts';
import { LocalPve } from '../support/proxmox/local-pve.ts';

/**
 * What the API client makes of answers it does not expect: an error status
 * is one line (the call, the status, Proxmox's message) and an operator's
 * error, not a bug; a task id is checked before it is used, and nothing
 * else ever goes into a path.
 */
describe('proxmox API answers the driver does not expect', () => {
  it('takes a task id only in the shape upid_decode reads: UPID:node:pid:pstart:starttime:type:id:user:', () => {
    for (const good of [
      'UPID:pve1:0000A1B2:001C2D3E:6750F1A2:qmcreate:1011:root@pam!kubedos:',
      'UPID:pve-2:00001234:1001C2D3E:6750F1A2:imgcopy::kubedos@pve!deploy:',
      'UPID:pve1:00001234:001C2D3E:6750F1A2:imgdel:1011@local-lvm:root@pam:',
    ])
      assert.ok(isUpid(good), good);
    for (const bad of [
      // The local API's old volume delete: a volume id (with its ':') as the task's id.
      'UPID:pve1:00000FA0:00152100:6B152100:imgdel:local:iso/a.iso:root@pam!kubedos:',
      'UPID:pve1:0000A1B2:001C2D3E:6750F1A2:qmcreate:1011:root@pam',
      'UPID:pve1:0000A1B2:001C2D3E:6750F1A2:qmcreate:1011:root@pam:\n',
      'UPID:-pve1:0000A1B2:001C2D3E:6750F1A2:qmstart:1011:root@pam:',
      '../../cluster/resources',
      '',
      { upid: 'UPID:pve1:0000A1B2:001C2D3E:6750F1A2:qmcreate:1011:root@pam:' },
      ['UPID:pve1:0000A1B2:001C2D3E:6750F1A2:qmcreate:1011:root@pam:'],
      4242,
      null,
      undefined,
    ])
      assert.ok(!isUpid(bad), JSON.stringify(bad));
  });

  it('refuses an answer that is not a UPID in one inert line naming the call; null only where Proxmox may answer it', () => {
    const upid = 'UPID:pve1:0000A1B2:001C2D3E:6750F1A2:imgdel:local:root@pam:';
    assert.equal(upidFrom('DELETE /x', upid, true), upid);
    assert.equal(upidFrom('DELETE /x', null, true), null);
    assert.equal(upidFrom('DELETE /x', undefined, true), null);
    assert.throws(
      () => upidFrom('POST /nodes/pve1/qemu', null),
      (err: Error) =>
        err instanceof UserError &&
        err.message === 'POST /nodes/pve1/qemu answered null where Proxmox answers a task id (UPID)',
    );
    const odd = { upid, status: 'running', note: '\u001b[2J\u001b[Hall is well\nkubedos: done', pad: 'x'.repeat(500) };
    assert.throws(
      () => upidFrom('DELETE /nodes/pve1/storage/local/content/local%3Aiso%2Fa.iso', odd, true),
      (err: Error) => {
        assert.ok(err instanceof UserError);
        assert.match(
          err.message,
          /^DELETE \/nodes\/pve1\/storage\/local\/content\/local%3Aiso%2Fa\.iso answered \{"upid":/,
        );
        assert.match(err.message, /… where Proxmox answers a task id \(UPID\) or null$/);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f-\u009f]/);
        assert.ok(err.message.length < 200, err.message);
        assert.ok(err.hint);
        return true;
      },
    );
    for (const data of [[upid], 4242, 'OK'])
      assert.throws(
        () => upidFrom('POST /x', data),
        (err: Error) => err instanceof UserError,
        JSON.stringify(data),
      );
  });

  it('an error status is an operator error of one line: the call, the status and its text, the message, a hint', () => {
    const e = new ProxmoxApiError('GET', '/nodes/pve1/storage', 501, 'Not Implemented', 'Method not there\nat all\n');
    assert.ok(e instanceof UserError);
    assert.equal(e.message, 'GET /nodes/pve1/storage: 501 Not Implemented: Method not there at all');
    assert.ok(e.hint);
    // Proxmox's status line is its message's first line: said once.
    assert.equal(
      new ProxmoxApiError('POST', '/x', 500, 'got timeout', 'got timeout\n').message,
      'POST /x: 500 got timeout',
    );
    assert.equal(
      new ProxmoxApiError('DELETE', '/x', 500, 'unable to delete', 'unable to delete\nvolume busy\n').message,
      'DELETE /x: 500 unable to delete volume busy',
    );
    assert.equal(new ProxmoxApiError('GET', '/x', 404, '').message, 'GET /x: 404 Not Found');
    assert.equal(
      new ProxmoxApiError('POST', '/x', 400, 'Parameter verification failed.', undefined, {
        vmid: 'invalid format\n',
      }).message,
      'POST /x: 400 Parameter verification failed.: vmid: invalid format',
    );
    assert.equal(oneLine('a\u001b[31mb\u202ec\r\nd'), 'a\\u001b[31mb\\u202ec d');
    assert.ok(new ProxmoxTaskError('destroy VM 1011 (w-1)', 'VM is locked (backup)') instanceof UserError);
  });

  it("the volume delete is checked against its entry in pve-docs' apidata.js, as the other calls are", () => {
    const volume = `/nodes/pve1/storage/local/content/${encodeURIComponent('local:iso/a.iso')}`;
    for (const version of ['9.1', '8.4'] as const) {
      assert.deepEqual(checkRequest(version, 'DELETE', volume, {}), []);
      assert.deepEqual(checkRequest(version, 'DELETE', volume, { delay: '30' }), []);
      assert.match(checkRequest(version, 'DELETE', volume, { delay: '31' }).join('\n'), /delay="31": above 30/);
      assert.match(checkRequest(version, 'DELETE', volume, { purge: '1' }).join('\n'), /unknown parameter purge/);
      assert.match(checkRequest(version, 'POST', volume, {}).join('\n'), /has no POST here/);
    }
  });

  for (const version of ['9.1', '8.4'] as const)
    it(`PVE ${version}: a 500 not worth a retry and a 200 that is not JSON are one line each; a null from \`delay\` is done`, async () => {
      const pve = await LocalPve.start({ version });
      try {
        const api = apiTo(pve);
        await assert.rejects(
          api.taskOrDone('DELETE', `/nodes/pve1/storage/local/content/${encodeURIComponent('local:iso/gone.iso')}`),
          (err: Error) =>
            err instanceof ProxmoxApiError &&
            err instanceof UserError &&
            err.message ===
              "DELETE /nodes/pve1/storage/local/content/local%3Aiso%2Fgone.iso: 500 volume 'local:iso/gone.iso' does not exist",
        );
        assert.equal(api.stats.retries, 0);
        // And the answer that real Proxmox gives with `delay`, null, is the work done.
        const dir = path.join(pve.storageDir('pve1', 'local'), 'iso');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'here.iso'), 'x');
        const done = await api.taskOrDone(
          'DELETE',
          `/nodes/pve1/storage/local/content/${encodeURIComponent('local:iso/here.iso')}`,
          { delay: 5 },
        );
        assert.equal(done, null);
        assert.deepEqual(pve.volumes('pve1', 'local'), []);
        // A 200 that is not Proxmox's JSON (a web server in front of it) is one line too.
        pve.inject({ kind: 'html-answer', path: /^\/nodes$/ });
        await assert.rejects(
          api.get('/nodes'),
          (err: Error) =>
            err instanceof UserError &&
            err.message ===
              `GET /nodes: 200 OK: the answer is not Proxmox's {"data": …} but <html><body> <h1>It works!</h1> </body></html>`,
        );
        assert.deepEqual(pve.violations, []);
      } finally {
        await pve.close();
      }
    });
});
