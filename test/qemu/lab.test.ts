import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED } from '../../deploy/qemu/vm-spec.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { GuestAgent } from '../../shared/guest-agent/qga-client.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';
import { runBin } from '../support/run-bin.ts';
import { until } from '../support/until.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const TOPOLOGY = path.join(REPO, 'examples/lab-3.yaml');
const t = loadTopology(TOPOLOGY);
const NODES = t.nodes.map((n) => n.hostname);

/**
 * Three real VMs in the Proxmox shape, through the operator's own commands:
 * `kubedos up --substrate qemu` installs each from the platform ISO and its
 * seed, boots the disk, enrolls and converges; every check reads the guest
 * itself through its agent (kernel log, /dev/tpm0, systemd, wg, nft).
 */
describe('qemu lab: three VMs install themselves from the platform ISO and converge', function () {
  this.timeout(60 * 60_000);
  let runRoot: string;
  let env: NodeJS.ProcessEnv;
  let first: { status: StatusResponse__Output; stderr: string; seconds: number };
  const agent = (node: string) => new GuestAgent(path.join(runRoot, 'nodes', node, 'vm', 'qga.sock'));
  const inside = async (node: string, script: string) => {
    const r = await agent(node).exec(['sh', '-c', script], { timeoutMs: 120_000 });
    return r;
  };
  const consoleOf = (node: string) => fs.readFileSync(path.join(runRoot, 'nodes', node, 'vm', 'console.log'), 'latin1');
  const up = async (extra: string[]) => {
    const started = Date.now();
    const r = await runBin(
      'kubedos',
      ['up', '--substrate', 'qemu', '--topology', TOPOLOGY, '--run-dir', runRoot, '--detach', '--json', ...extra],
      env,
      50 * 60_000,
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 0, `kubedos up failed:\n${r.stderr.slice(-4000)}`);
    // The per-stage times the command prints, shown with the test's own output.
    const table = r.stderr.slice(r.stderr.indexOf('stage (s)'));
    console.log(
      `      kubedos up --substrate qemu ${extra.join(' ')}: ${seconds.toFixed(0)} s\n${table.replace(/^/gm, '      ')}`,
    );
    return { status: JSON.parse(r.stdout) as StatusResponse__Output, stderr: r.stderr, seconds };
  };

  before(async function () {
    requireSystem(this, {
      root: true,
      commands: ['qemu-system-x86_64', 'qemu-img', 'swtpm', 'mksquashfs', 'xorriso', 'mmdebstrap', 'ip'],
      files: [OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED, '/dev/net/tun'],
    });
    runRoot = path.join(tempDir('qemu-lab'), 'run');
    env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: process.env.HOME ?? '/root',
      KUBEDOS_HUB_DIR: path.join(runRoot, 'hub'),
    };
    first = await up(['--fresh']);
  });

  after(async function () {
    if (!runRoot || !fs.existsSync(path.join(runRoot, 'qemu.json'))) return;
    const r = await runBin('kubedos', ['down', '--substrate', 'qemu', '--run-dir', runRoot], env, 10 * 60_000);
    assert.equal(r.code, 0, r.stderr);
    fs.rmSync(runRoot, { recursive: true, force: true });
  });

  it('installed each VM to its disk, then booted the disk with Secure Boot on and a TPM present', async function () {
    for (const node of NODES) {
      const text = consoleOf(node);
      const installedAt = text.indexOf(`kubedos-install: installed ${node} on /dev/sda`);
      assert.ok(installedAt > 0, `${node}: the installer did not say it installed`);
      // The boot after the install: Secure Boot enabled again, from the disk's own shim and GRUB.
      assert.match(text.slice(installedAt), /secureboot: Secure boot enabled/);
      const r = await inside(node, 'cat /proc/cmdline; ls /dev/tpm0; findmnt -no SOURCE /; cat /etc/kubedos/installed');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /root=UUID=/);
      assert.doesNotMatch(r.stdout, /kubedos\.install|boot=live/, 'the node runs from its disk, not the ISO');
      assert.match(r.stdout, /\/dev\/tpm0/);
      assert.match(r.stdout, new RegExp(`^lab-3 ${node}$`, 'm'));
    }
  });

  it('runs the hub under systemd in the master VM, confined, and every node enrolled and connected', async function () {
    const hub = await inside(
      'master',
      'systemctl is-active kubedos-hub; systemctl show -p ProtectSystem,NoNewPrivileges kubedos-hub',
    );
    assert.match(hub.stdout, /^active$/m);
    assert.match(hub.stdout, /ProtectSystem=strict/);
    assert.match(hub.stdout, /NoNewPrivileges=yes/);
    assert.equal(first.status.summary!.connected, NODES.length);
    // hubctl on the host, through the master's guest agent, says the same.
    const r = await runBin('hubctl', ['status', '--json'], env, 5 * 60_000);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as StatusResponse__Output;
    assert.deepEqual(status.nodes.map((n) => `${n.name}:${n.state}`).sort(), NODES.map((n) => `${n}:connected`).sort());
  });

  it('deleted each node’s enrollment credential from its disk once it had enrolled', async function () {
    for (const node of NODES) {
      const r = await inside(node, 'cat /etc/kubedos/identity.json');
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /credentialSeed/, node);
    }
  });

  it('has the planes in the kernel (wg-quick units) with handshakes on wg1, wg2 and wg3, wg3 node to node', async function () {
    const etcdWg3 = (
      await inside('etcd-1', "ip -4 -o addr show dev wg3 | awk '{print $4}' | cut -d/ -f1")
    ).stdout.trim();
    const ping = await inside('cp-1', `ping -c 3 -W 2 -I wg3 ${etcdWg3}`);
    assert.equal(ping.code, 0, `cp-1 reaches etcd-1 over wg3: ${ping.stdout}${ping.stderr}`);
    const keyOf = async (node: string, plane: string) =>
      (await inside(node, `wg show ${plane} public-key`)).stdout.trim();
    for (const node of ['etcd-1', 'cp-1']) {
      const links = await inside(node, 'ip -o link show type wireguard | wc -l');
      assert.equal(links.stdout.trim(), '3', `${node}: three in-kernel WireGuard links`);
      const userspace = await inside(node, 'pgrep wireguard-go');
      assert.notEqual(userspace.code, 0, `${node}: no wireguard-go (the kernel's WireGuard)`);
      const units = await inside(node, 'systemctl is-enabled wg-quick@wg1 wg-quick@wg2 wg-quick@wg3');
      assert.equal((units.stdout.match(/^enabled$/gm) ?? []).length, 3, `${node}: wg-quick@ units enabled`);
      for (const plane of ['wg1', 'wg2']) {
        const masterKey = await keyOf('master', plane);
        const hs = await until(
          `${node}'s ${plane} handshake with the master`,
          async () => {
            const out = (await inside(node, `wg show ${plane} latest-handshakes`)).stdout;
            const line = out.split('\n').find((l) => l.startsWith(masterKey));
            return line && Number(line.split(/\s+/)[1]) > 0 ? line : undefined;
          },
          120_000,
        );
        assert.ok(hs, `${node} has a ${plane} handshake with the master`);
      }
    }
    const etcdKey = await keyOf('etcd-1', 'wg3');
    const direct = (await inside('cp-1', 'wg show wg3 latest-handshakes')).stdout
      .split('\n')
      .find((l) => l.startsWith(etcdKey));
    assert.ok(direct && Number(direct.split(/\s+/)[1]) > 0, `cp-1 and etcd-1 handshook directly on wg3: ${direct}`);
  });

  it('applies the role firewall on the NIC the VM really has, and loads it at boot (nftables.service)', async function () {
    for (const node of ['etcd-1', 'cp-1']) {
      const ip = t.nodes.find((n) => n.hostname === node)!.ip;
      const r = await inside(
        node,
        `ip -4 -o addr show | awk '$4 ~ /^${ip.replace(/\./g, '\\.')}\\// {print $2}'; nft list chain inet kubedos input; systemctl is-enabled nftables`,
      );
      const nic = r.stdout.split('\n')[0]!.trim();
      assert.ok(nic && nic !== 'host0', `${node}: its LAN NIC (${nic})`);
      assert.match(r.stdout, new RegExp(`iifname "${nic}"`), `${node}: rules on ${nic}`);
      assert.match(r.stdout, /policy drop/);
      assert.match(r.stdout, /^enabled$/m);
    }
  });

  it('converged with 0 failed, the Kubernetes phases skipped with their reason', function () {
    const conv = first.status.convergence!;
    assert.equal(conv.state, 'done', JSON.stringify(conv.failures));
    assert.equal(conv.counts!.failed, 0);
    const reasons = new Set(conv.skips.map((s) => s.reason));
    assert.ok(
      [...reasons].some((r) => /does not carry kubelet, kubeadm, kubectl/.test(r)),
      [...reasons].join('; '),
    );
    assert.ok(conv.skips.every((s) => /kube|was skipped/.test(`${s.task} ${s.reason}`)));
  });

  it('boots the installed disks on a second up without installing again, and converges with 0 changed', async function () {
    const down = await runBin('kubedos', ['down', '--substrate', 'qemu', '--run-dir', runRoot], env, 10 * 60_000);
    assert.equal(down.code, 0, down.stderr);
    const second = await up([]);
    assert.match(second.stderr, /\bbooting\b/);
    assert.doesNotMatch(second.stderr, /\binstalling\b/, 'nothing was installed again');
    for (const node of NODES) {
      const installs = consoleOf(node).split(`kubedos-install: installed ${node} on`).length - 1;
      assert.equal(installs, 1, `${node} was installed once, then only booted`);
    }
    const conv = second.status.convergence!;
    assert.equal(conv.state, 'done', JSON.stringify(conv.failures));
    assert.equal(conv.counts!.failed, 0);
    assert.equal(conv.counts!.changed, 0, 'a rebooted, converged platform has nothing to change');
  });
});
