/**
 * Full install test (npm run test:install; not part of npm test): the lb-1
 * ISO of the mini topology installs Debian unattended into a QEMU disk
 * (UEFI, Secure Boot, TPM), the VM restarts from the disk, and the minion's
 * first-boot unit enrolls with a hub running on this host, reached only
 * through a user-network forward to 127.0.0.1. Each stage is timed and the
 * test fails at the first one not reached, with the console's last lines.
 * Uses the real dist/kubedos-minion and dist/kubedos-hub (npm run build).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { launchVm, type RunningVm } from '../../deploy/qemu/launcher.ts';
import { buildIsos } from '../../iso-builder/build.ts';
import { PAYLOAD_INSTALLED_MARKER } from '../../iso-builder/payload.ts';
import { INSTALLER_START_MARKER } from '../../iso-builder/preseed.ts';
import { requireSystem } from '../support/requirements.ts';
import { ISO_COMMANDS, ISO_FILES, MINI_TOPOLOGY } from '../iso/build-fixture.ts';
import { makeFakeDeb } from '../iso/fake-deb.ts';

const MINION = path.resolve('dist/kubedos-minion');
const HUB = path.resolve('dist/kubedos-hub');
const INSTALL_DEADLINE_MS = 150 * 60_000;
const ENROLL_DEADLINE_MS = 30 * 60_000;
/** hubctl nodes states once a node has enrolled ("expected" until then). */
const ENROLLED = /^(enrolled|connected)$/;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('install: the ISO installs unattended and the minion enrolls with the hub', function () {
  this.timeout(0);
  let dir: string;
  let hub: ResultPromise | undefined;
  let vm: RunningVm | undefined;
  const stages: string[] = [];
  const t0 = Date.now();
  const stage = (what: string) => {
    const line = `${((Date.now() - t0) / 60_000).toFixed(1)} min: ${what}`;
    stages.push(line);
    console.log(`      ${line}`);
  };

  before(function () {
    requireSystem(this, {
      commands: [...ISO_COMMANDS, 'qemu-system-x86_64', 'qemu-img', 'swtpm'],
      files: [...ISO_FILES, MINION, HUB],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-install-'));
  });
  after(async () => {
    await vm?.stop();
    if (hub && hub.exitCode === null) hub.kill('SIGTERM');
    await hub?.catch(() => undefined);
    console.log(`      stages reached:\n        ${stages.join('\n        ')}`);
    if (process.env.KDI_KEEP) console.log(`      kept ${dir}`);
    else if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs lb-1, reboots from disk, and enrolls', async function () {
    const key = path.join(dir, 'id.pub');
    fs.writeFileSync(
      key,
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiK install-test\n',
    );
    const secrets = path.join(dir, 'secrets');
    // lb-1 installs none of these; the shared snapshot still carries them for the topology's cp node.
    const extra = path.join(dir, 'extra-debs');
    for (const p of ['kubelet', 'kubeadm', 'kubectl', 'kubedos-images']) makeFakeDeb(extra, p);
    const manifest = await buildIsos({
      topologyFile: MINI_TOPOLOGY,
      secretsDir: secrets,
      outDir: path.join(dir, 'out'),
      cacheDir: path.join(os.homedir(), '.cache', 'kubedos', 'iso-install-test'),
      minionBinary: MINION,
      hubBinary: HUB,
      sshPublicKeyFile: key,
      extraDebsDir: extra,
      nodes: ['lb-1'],
    });
    stage(`ISO built (${manifest.snapshot.packages} packages in the snapshot)`);

    const port = await freePort();
    const hubDir = path.join(dir, 'hub');
    hub = execa(HUB, [
      '--state-dir', hubDir, '--topology', MINI_TOPOLOGY, '--inventory', path.join(secrets, 'inventory.json'),
      '--tls-cert', path.join(secrets, 'hub', 'tls.crt'), '--tls-key', path.join(secrets, 'hub', 'tls.key'),
      '--listen', `127.0.0.1:${port}`,
    ], { reject: false, stdio: ['ignore', 'ignore', 'inherit'] }); // prettier-ignore
    const hubctl = (...args: string[]) =>
      execFileSync(path.resolve('bin/hubctl'), ['--hub-dir', hubDir, ...args]).toString();
    for (let i = 0; ; i++) {
      try {
        hubctl('enroll', 'open', '--node', 'lb-1', '--ttl', '4h');
        break;
      } catch (err) {
        if (i > 60) throw err;
        await sleep(1000);
      }
    }
    stage(`hub on 127.0.0.1:${port}, window open for lb-1`);

    const disk = path.join(dir, 'disk.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16G']);
    const spec = {
      name: 'kdi-install-lb-1',
      cores: 2,
      memoryMiB: 2048,
      iso: path.join(dir, 'out', manifest.isos[0]!.name),
      disk,
      forwards: [{ guestIp: '10.0.2.10', guestPort: 7443, hostIp: '127.0.0.1' as const, hostPort: port }],
    };
    vm = await launchVm({ ...spec, noReboot: true }, { dir: path.join(dir, 'vm') });
    stage(`VM started (${vm.accel})`);
    await vm.waitForConsole(new RegExp(INSTALLER_START_MARKER), 15 * 60_000);
    stage('installer started with our preseed');
    await vm.waitForConsole(new RegExp(PAYLOAD_INSTALLED_MARKER), INSTALL_DEADLINE_MS);
    stage('payload installed by late_command');
    await vm.process;
    await vm.stop();
    stage('installer finished, VM powered off');

    vm = await launchVm({ ...spec, bootFrom: 'disk' }, { dir: path.join(dir, 'vm') });
    const deadline = Date.now() + ENROLL_DEADLINE_MS;
    let state = '';
    while (Date.now() < deadline) {
      const nodes = JSON.parse(hubctl('nodes', '--json')) as Array<{ node: string; state: string }>;
      state = nodes.find((n) => n.node === 'lb-1')?.state ?? '';
      if (ENROLLED.test(state)) break;
      await sleep(10_000);
    }
    stage(`lb-1 state at the hub: ${state}`);
    assert.match(state, ENROLLED, `lb-1 did not enroll (state "${state}")`);
  });
});
