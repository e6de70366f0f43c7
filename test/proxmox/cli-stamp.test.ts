import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DeployReport } from '../../deploy/substrates/proxmox/proxmox-deploy.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { seedsOnStorage, topologyFor, writesBesidesSeeds } from '../support/proxmox/fixtures.ts';
import { LocalPve } from '../support/proxmox/local-pve.ts';
import { requireSystem } from '../support/requirements.ts';
import { runBin } from '../support/run-bin.ts';

/**
 * The operator's command on the 16-node example, with the real artifact:
 * `kubedos deploy --stage stamp` builds the platform ISO and the seeds,
 * uploads them to three Proxmox nodes and creates 16 VMs; run again, it
 * makes no write. The dry run before it writes nothing.
 */
describe('kubedos deploy --stage stamp: the 16-node example onto a fresh local Proxmox API', function () {
  this.timeout(30 * 60_000);
  let pve: LocalPve;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  let tokenArgs: string[] = [];
  const deploy = async (extra: string[]) => {
    const r = await runBin(
      'kubedos',
      ['deploy', '--topology', file, '--run-dir', path.join(dir, 'run'), '--json', ...extra],
      env,
      25 * 60_000,
    );
    assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
    return JSON.parse(r.stdout) as DeployReport;
  };

  before(async function () {
    requireSystem(this, { root: true, commands: ['mmdebstrap', 'xorriso', 'mksquashfs'] });
    pve = await LocalPve.start({ nodes: ['pve1', 'pve2', 'pve3'] });
    dir = tempDir('pvecli');
    ({ file } = topologyFor(pve, 'platform-16.yaml', dir));
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, `${pve.token}\n`, { mode: 0o600 });
    env = { ...process.env };
    delete env.KUBEDOS_PROXMOX_TOKEN;
    tokenArgs = ['--token-file', tokenFile];
  });
  after(async () => {
    await pve?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dry run, then 16 VMs in the shape, then a second run with zero writes', async () => {
    const dry = await deploy([...tokenArgs, '--dry-run']);
    assert.equal(pve.writes().length, 0);
    assert.equal(dry.vms.filter((v) => v.action === 'create').length, 16);
    assert.ok(dry.vms.every((v) => /^qm create \d+ --name /.test(v.qm[0]!)));

    const first = await deploy([...tokenArgs, '--stage', 'stamp']);
    assert.equal(first.reached, 'stamp');
    assert.equal(pve.vms.size, 16);
    assert.equal(
      first.uploads.filter((u) => u.uploaded && !u.name.includes('-seed-')).length,
      3,
      'the ISO once per Proxmox node',
    );
    assert.ok(first.api.bytesUploaded > 3 * 100 * 2 ** 20, `uploaded ${first.api.bytesUploaded} bytes`);
    for (const vm of pve.vms.values()) {
      assert.equal(vm.config.machine, 'q35');
      assert.match(vm.config.efidisk0!, /efitype=4m,pre-enrolled-keys=1/);
      assert.match(vm.config.tpmstate0!, /version=v2\.0/);
    }
    assert.deepEqual(seedsOnStorage(pve), [], 'the seeds came off the storage as the deploy ended');
    const writes = pve.writes().length;
    const second = await deploy([...tokenArgs, '--stage', 'stamp']);
    assert.deepEqual(writesBesidesSeeds(pve, writes), [], 'the second run made no write but the seeds');
    assert.ok(second.vms.every((v) => v.action === 'unchanged'));
    assert.deepEqual(seedsOnStorage(pve), []);
    assert.deepEqual(pve.violations, []);
  });
});

/**
 * What an operator sees when the Proxmox API answers what the driver does
 * not expect (as other API stand-ins have): the command's last words are one
 * line naming the call, the status or the answer, and a hint; exit 2, never
 * "internal error" with a stack. `destroy` is the real command; `deploy`
 * would build the platform ISO first (root, minutes), so its case runs the
 * pipeline with stand-in media under the CLI's top level (deploy-child.ts).
 */
describe('kubedos against a Proxmox API that answers what the driver does not expect', function () {
  this.timeout(120_000);
  let pve: LocalPve;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    pve = await LocalPve.start({ nodes: ['pve1'] });
    dir = tempDir('pveodd');
    ({ file } = topologyFor(pve, 'platform-16.yaml', dir));
    env = { ...process.env, KUBEDOS_PROXMOX_TOKEN: pve.token };
  });
  afterEach(async () => {
    const violations = [...pve.violations];
    await pve.close();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(violations, [], 'every request conforms to the official API schema');
  });

  /** The error line (before its hint) of a command that failed as an operator's error. */
  const errorLine = (r: { code: number; stdout: string; stderr: string }): string => {
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|^\s+at /m, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines.pop()!, /^ {2}hint: \S/, r.stderr);
    return lines.pop()!;
  };
  const ourMedia = () => {
    const iso = path.join(pve.storageDir('pve1', 'local'), 'iso', 'kubedos-platform-16-0123456789ab.iso');
    fs.mkdirSync(path.dirname(iso), { recursive: true });
    fs.writeFileSync(iso, 'media');
  };

  it('deploy --stage upload: a 501 on GET /nodes/{node}/storage', async () => {
    pve.inject({ kind: 'not-implemented', method: 'GET', path: /^\/nodes\/pve1\/storage$/ });
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.join(import.meta.dirname, '../support/proxmox/deploy-child.ts'), file, 'upload'],
        { env, timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(
      errorLine(r),
      "kubedos: GET /nodes/pve1/storage: 501 Not Implemented: Method 'GET /nodes/pve1/storage' not implemented",
    );
    assert.equal(pve.writes().length, 0);
  });

  it('destroy: a 501 on GET /nodes/{node}/storage', async () => {
    pve.inject({ kind: 'not-implemented', method: 'GET', path: /^\/nodes\/pve1\/storage$/ });
    const r = await runBin('kubedos', ['destroy', '--topology', file, '--yes'], env, 60_000);
    assert.equal(
      errorLine(r),
      "kubedos: GET /nodes/pve1/storage: 501 Not Implemented: Method 'GET /nodes/pve1/storage' not implemented",
    );
  });

  it('destroy: a volume delete answered with an object, not a UPID or null', async () => {
    ourMedia();
    pve.inject({ kind: 'object-answer', method: 'DELETE', path: /\/storage\/local\/content\// });
    const r = await runBin('kubedos', ['destroy', '--topology', file, '--yes'], env, 60_000);
    assert.match(
      errorLine(r),
      /^kubedos: DELETE \/nodes\/pve1\/storage\/local\/content\/local%3Aiso%2Fkubedos-platform-16-0123456789ab\.iso answered \{"upid":"UPID:pve1:[^ ]*… where Proxmox answers a task id \(UPID\) or null$/,
    );
    const asked = pve.requests.map((q) => decodeURIComponent(q.path));
    assert.ok(!asked.some((p) => p.includes('/tasks/') || p.includes('object')), asked.join('\n'));
  });
});
