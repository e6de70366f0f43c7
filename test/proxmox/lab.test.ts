import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ProxmoxGuest } from '../../deploy/proxmox/guest.ts';
import type { DeployReport } from '../../deploy/proxmox/proxmox-deploy.ts';
import type { DestroyReport } from '../../deploy/proxmox/proxmox-destroy.ts';
import { OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED } from '../../deploy/qemu/vm-spec.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { apiTo, topologyFor } from '../support/proxmox/fixtures.ts';
import { LocalPve } from '../support/proxmox/local-pve.ts';
import { QemuBackend } from '../support/proxmox/vm-backend.ts';
import { requireSystem } from '../support/requirements.ts';
import { runBin } from '../support/run-bin.ts';

/**
 * `kubedos deploy` end to end through the Proxmox driver: the local Proxmox
 * API runs each VM it is asked to create and start as a real VM (OVMF
 * Secure Boot, swtpm TPM 2.0, guest agent), so three VMs of lab-3 install
 * themselves from the uploaded platform ISO and their seeds, reboot into
 * their disks, enroll and converge. Then: a second deploy writes nothing,
 * `redeploy cp-1` replaces a node, `destroy` leaves nothing of ours.
 */
describe('proxmox lab: kubedos deploy brings lab-3 up through the Proxmox API, on real VMs', function () {
  this.timeout(90 * 60_000);
  let pve: LocalPve;
  let dir: string;
  let file: string;
  let t: Topology;
  let env: NodeJS.ProcessEnv;
  const backend = new QemuBackend('kdp');
  const kubedos = (args: string[]) =>
    runBin('kubedos', [...args, '--topology', file, '--json'], env, 80 * 60_000).then((r) => {
      const tail = r.stderr.split('\n').slice(-40).join('\n');
      assert.equal(r.code, 0, `kubedos ${args.join(' ')} exited ${r.code}:\n${tail}`);
      return { ...r, tail };
    });
  const vmOf = (node: string) => pve.vms.get(t.nodes.find((n) => n.hostname === node)!.vmid)!;
  const guest = (node: string) => new ProxmoxGuest(apiTo(pve), 'pve1', vmOf(node).vmid);

  before(async function () {
    requireSystem(this, {
      root: true,
      commands: ['qemu-system-x86_64', 'qemu-img', 'swtpm', 'mmdebstrap', 'xorriso', 'mksquashfs', 'ip'],
      files: [OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED, '/dev/net/tun'],
    });
    pve = await LocalPve.start({ backend, nodes: ['pve1'], taskMs: 50 });
    dir = tempDir('pvelab');
    ({ file, topology: t } = topologyFor(pve, 'lab-3.yaml', dir));
    env = { ...process.env, KUBEDOS_PROXMOX_TOKEN: pve.token };
  });
  afterEach(function () {
    if (this.currentTest?.state !== 'failed' || !pve) return;
    for (const vm of pve.vms.values())
      process.stderr.write(
        `--- VM ${vm.vmid} console, last lines:\n${backend.console(vm).split('\n').slice(-25).join('\n')}\n`,
      );
  });
  after(async () => {
    await pve?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deploys: uploads, creates, installs, reboots into the disk, enrolls, converges; media detached after', async () => {
    const r = await kubedos(['deploy', '--run-dir', path.join(dir, 'run')]);
    const report = JSON.parse(r.stdout) as DeployReport;
    assert.equal(report.reached, 'converge');
    assert.equal(report.status!.summary!.connected, 3, r.tail);
    assert.equal(report.status!.convergence!.state, 'done', r.tail);
    assert.deepEqual(
      report.vms.map((v) => v.action),
      ['create', 'create', 'create'],
    );
    for (const v of report.vms) assert.equal(v.boot, 'booted', `${v.node}: ${v.boot}`);
    // The installer ran on each (the supervisor saw it) and each was started again after it powered off.
    for (const n of t.nodes)
      assert.match(r.stderr, new RegExp(`${n.hostname} installer: installed: ${n.hostname}`), r.tail);
    for (const n of t.nodes) {
      const c = vmOf(n.hostname).config;
      assert.equal(c.ide2, undefined, `${n.hostname}: the platform ISO is detached`);
      assert.equal(c.ide3, undefined, `${n.hostname}: the seed is detached`);
      assert.equal(c.boot, 'order=scsi0');
    }
    assert.deepEqual(
      pve.volumes('pve1', 'local').map((v) => v.replace(/[0-9a-f]{12}/, 'HASH')),
      ['local:iso/kubedos-lab-3-HASH.iso'],
      'the seeds are deleted once their nodes enrolled; the platform ISO stays for redeploys',
    );
    // The installed system is what the Proxmox shape promises: Secure Boot on, a TPM, the planes.
    const check = await guest('etcd-1').exec([
      'sh',
      '-c',
      'journalctl -k -b | grep -c "Secure boot enabled"; test -c /dev/tpm0 && echo tpm; wg show interfaces',
    ]);
    assert.match(check.stdout, /^[1-9]\d*\ntpm\nwg1 wg2 wg3\n$/, check.stdout + check.stderr);
    assert.deepEqual(pve.violations, []);
  });

  it('a second deploy makes no Proxmox write and converges with nothing to do', async () => {
    const writes = pve.writes().length;
    const r = await kubedos(['deploy', '--run-dir', path.join(dir, 'run')]);
    const report = JSON.parse(r.stdout) as DeployReport;
    assert.equal(pve.writes().length, writes, JSON.stringify(pve.writes().slice(writes)));
    assert.equal(report.api.writes, 0);
    assert.deepEqual(
      report.vms.map((v) => v.action),
      ['unchanged', 'unchanged', 'unchanged'],
    );
    assert.equal(report.status!.convergence!.state, 'done');
  });

  it('redeploy cp-1: the hub revokes it, its VM is made again from the same artifact, it enrolls and converges', async () => {
    const before = vmOf('cp-1').config.meta;
    const r = await kubedos(['redeploy', 'cp-1', '--run-dir', path.join(dir, 'run')]);
    const report = JSON.parse(r.stdout) as DeployReport;
    assert.notEqual(vmOf('cp-1').config.meta, before, 'cp-1 is a new VM');
    assert.match(r.stderr, /cp-1: the hub revoked \d+ keys/);
    assert.match(r.stderr, /cp-1 installer: installed: cp-1/);
    assert.equal(report.status!.summary!.connected, 3);
    assert.equal(report.status!.convergence!.state, 'done', r.tail);
    assert.equal(vmOf('cp-1').config.ide3, undefined);
    assert.deepEqual(pve.violations, []);
  });

  it('destroy removes exactly this deployment and touches nothing else', async () => {
    pve.addForeignVm(4100, 'pve1', 'not-ours');
    const r = await kubedos(['destroy', '--yes']);
    const report = JSON.parse(r.stdout) as DestroyReport;
    assert.equal(report.vms.length, 3);
    assert.deepEqual([...pve.vms.keys()], [4100]);
    assert.deepEqual(pve.volumes('pve1', 'local-lvm'), []);
    assert.deepEqual(pve.volumes('pve1', 'local'), []);
    assert.deepEqual(pve.violations, []);
  });
});
