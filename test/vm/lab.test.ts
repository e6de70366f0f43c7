import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { DeployReport } from '../../deploy/substrates/proxmox/proxmox-deploy.ts';
import type { DestroyReport } from '../../deploy/substrates/proxmox/proxmox-destroy.ts';
import { OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED } from '../../deploy/substrates/qemu/vm-spec.ts';
import { deployerPrivileges } from '../../deploy/substrates/proxmox/privileges.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { apiTo, topologyFor } from '../support/proxmox/fixtures.ts';
import { vmPath } from '../../deploy/substrates/proxmox/api-client.ts';
import { LocalPve } from '../support/proxmox/local-pve.ts';
import { handBack, handOverToQemuRun } from '../support/proxmox/qemu-hand-over.ts';
import { QemuBackend } from '../support/proxmox/vm-backend.ts';
import { requireSystem } from '../support/requirements.ts';
import { runBin } from '../support/run-bin.ts';
import { until } from '../support/until.ts';
import { describeInstallerRefusals } from '../support/installer-refusals.ts';
import { builtAgnhostRef } from '../support/built-images.ts';

/**
 * The three-VM lab, installed once per run and checked through both ways
 * kubedos drives VMs. `kubedos deploy` stamps lab-3 onto a local Proxmox
 * API that runs each VM it creates as a real VM (q35, OVMF Secure Boot
 * with the keys enrolled, swtpm TPM 2.0, guest agent): the three install
 * themselves from the uploaded platform ISO and their seeds, reboot into
 * their disks and enroll; the master is lost and redeployed from a hub
 * backup; then a deploy
 * that writes nothing to Proxmox converges the three, Kubernetes on cp-1
 * included. Every check of the installed platform reads the guest itself
 * through its agent, the cluster's through cp-1's own API. Then the same disks are handed
 * to the qemu substrate: `kubedos up --substrate qemu` boots them without
 * installing and converges with nothing to change, `down` stops them, and
 * `kubedos destroy` removes exactly this deployment from Proxmox.
 */
describe('VM lab: lab-3 installed once through the Proxmox API, then booted by the qemu substrate', function () {
  this.timeout(90 * 60_000);
  let pve: LocalPve;
  let dir: string;
  let file: string;
  let t: Topology;
  let env: NodeJS.ProcessEnv;
  let enrolled: { report: DeployReport; stderr: string; tail: string };
  let deployed: { report: DeployReport; stderr: string; tail: string };
  const backend = new QemuBackend('kdp');
  const runRoot = () => path.join(dir, 'run');
  const qemuRun = () => path.join(dir, 'qemu-run');
  const kubedos = async (args: string[], what = args[0]!) => {
    const started = Date.now();
    const r = await runBin('kubedos', [...args, '--topology', file, '--json'], env, 80 * 60_000);
    const tail = r.stderr.split('\n').slice(-40).join('\n');
    // The time of each stage, from its start (a deploy report's seconds), to see where the minutes go.
    let stages: string;
    try {
      const s = (JSON.parse(r.stdout) as { seconds?: Record<string, number> }).seconds ?? {};
      stages = Object.entries(s)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ');
    } catch {
      stages = '';
    }
    console.log(
      `      kubedos ${args.slice(0, 2).join(' ')}: ${((Date.now() - started) / 1000).toFixed(0)} s${stages ? ` (stages done at: ${stages} s)` : ''}`,
    );
    assert.equal(r.code, 0, `kubedos ${what} exited ${r.code}:\n${tail}`);
    return { ...r, tail };
  };
  const vmOf = (node: string) => pve.vms.get(t.nodes.find((n) => n.hostname === node)!.vmid)!;
  /** A command in the guest, through its guest agent (the Proxmox VM's while it runs there). */
  const inside = async (node: string, script: string) =>
    backend.agent(vmOf(node))!.exec(['sh', '-c', script], { timeoutMs: 120_000 });
  const nodes = () => t.nodes.map((n) => n.hostname);
  /** kubectl in a control plane VM with kubeadm's admin.conf: the cluster's own API answers. */
  const kubectlIn = async (node: string, args: string) => {
    const r = await inside(node, `kubectl --kubeconfig /etc/kubernetes/admin.conf ${args}`);
    assert.equal(r.code, 0, `kubectl ${args} on ${node}: ${r.stderr}`);
    return r.stdout;
  };
  /**
   * Asks cp-1's API with kubectl every 3 s until it answers and `accept`
   * takes the answer (returns a value), for limitMs.
   */
  const kubectlUntil = <T>(what: string, args: string, accept: (stdout: string) => T | undefined, limitMs: number) =>
    until(
      what,
      async () => {
        const r = await inside('cp-1', `kubectl --kubeconfig /etc/kubernetes/admin.conf ${args}`);
        const v = r.code === 0 ? accept(r.stdout) : undefined;
        if (v === undefined) await new Promise((res) => setTimeout(res, 3000));
        return v;
      },
      limitMs,
    );
  /** Waits for the API to say Node cp-1 is Ready; its kubelet's version. */
  const cp1Ready = () =>
    kubectlUntil(
      'Node cp-1 Ready in its API',
      'get node cp-1 -o json',
      (out) => {
        const n = JSON.parse(out) as {
          status: { conditions: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string } };
        };
        return n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')
          ? n.status.nodeInfo.kubeletVersion
          : undefined;
      },
      // Generous: under TCG on a slow hour this VM lab's steps took up to 2.4 times as long as on a quiet one.
      10 * 60_000,
    );
  /**
   * A pod of the built test image (never pulled), left to the scheduler: it
   * tolerates the control plane's taint, lands on cp-1, runs with an address
   * of cp-1's pod network, and its process answers; then it is deleted.
   */
  const testPodRuns = async () => {
    const agnhost = await builtAgnhostRef();
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'vm-lab-pod', namespace: 'default' },
      spec: {
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [
          { name: 'netexec', image: agnhost, imagePullPolicy: 'Never', args: ['netexec', '--http-port=8080'] },
        ],
      },
    };
    await kubectlIn('cp-1', `apply -f - <<'EOF'\n${JSON.stringify(pod)}\nEOF`);
    const running = await kubectlUntil(
      'the test pod Running on cp-1',
      'get pod vm-lab-pod -o json',
      (out) => {
        const p = JSON.parse(out) as { spec: { nodeName?: string }; status: { phase: string; podIP?: string } };
        return p.status.phase === 'Running' && p.status.podIP ? p : undefined;
      },
      10 * 60_000,
    );
    assert.equal(running.spec.nodeName, 'cp-1');
    const prefix = t.kubernetes.podCidr.split('.').slice(0, 2).join('.');
    assert.ok(
      running.status.podIP!.startsWith(`${prefix}.`),
      `pod IP ${running.status.podIP} in ${t.kubernetes.podCidr}`,
    );
    // The pod's own process answers on its pod address: the apiserver's proxy dials it there (Running is not yet
    // listening: the pod has no readiness probe, and netexec takes a while to start under TCG).
    const hostname = await kubectlUntil(
      'the test pod answering through the apiserver proxy',
      'get --raw /api/v1/namespaces/default/pods/vm-lab-pod:8080/proxy/hostname',
      (out) => out,
      5 * 60_000,
    );
    assert.equal(hostname.trim(), 'vm-lab-pod');
    await kubectlIn('cp-1', 'delete pod vm-lab-pod --wait=false');
  };

  before(async function () {
    requireSystem(this, {
      root: true,
      commands: ['qemu-system-x86_64', 'qemu-img', 'swtpm', 'mmdebstrap', 'xorriso', 'mksquashfs', 'ip'],
      files: [OVMF_CODE_SECBOOT, OVMF_VARS_ENROLLED, '/dev/net/tun'],
    });
    pve = await LocalPve.start({ backend, nodes: ['pve1'], taskMs: 50 });
    dir = tempDir('vmlab');
    ({ file, topology: t } = topologyFor(pve, 'lab-3.yaml', dir));
    env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: process.env.HOME ?? '/root',
      // A token with exactly the role docs/proxmox.md gives (kubedos proxmox-role): the whole lab needs nothing more.
      KUBEDOS_PROXMOX_TOKEN: pve.addToken('kubedos@pve!deploy', 'vm-lab-5e1f', deployerPrivileges(9)),
      KUBEDOS_HUB_DIR: path.join(qemuRun(), 'hub'),
    };
    // Installed and enrolled first; the master is replaced before the whole deployment converges once (under TCG
    // a convergence with kubeadm costs minutes, a second one for the rebuilt node would double them).
    const r = await kubedos(['deploy', '--run-dir', runRoot(), '--stage', 'enroll']);
    enrolled = { report: JSON.parse(r.stdout) as DeployReport, stderr: r.stderr, tail: r.tail };
  });
  afterEach(function () {
    if (this.currentTest?.state !== 'failed' || !pve) return;
    for (const vm of pve.vms.values())
      process.stderr.write(
        `--- VM ${vm.vmid} console, last lines:\n${backend.console(vm).split('\n').slice(-25).join('\n')}\n`,
      );
  });
  after(async () => {
    if (dir && fs.existsSync(path.join(qemuRun(), 'qemu.json')))
      await runBin('kubedos', ['down', '--substrate', 'qemu', '--run-dir', qemuRun()], env, 10 * 60_000);
    await pve?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('kubedos deploy through the Proxmox API', () => {
    it('uploads, creates, installs, reboots into the disk, enrolls; media detached after', () => {
      const { report, stderr, tail } = enrolled;
      assert.equal(report.reached, 'enroll');
      assert.equal(report.status!.summary!.connected, 3, tail);
      assert.deepEqual(
        report.vms.map((v) => v.action),
        ['create', 'create', 'create'],
      );
      for (const v of report.vms) assert.equal(v.boot, 'booted', `${v.node}: ${v.boot}`);
      // The installer ran on each (the supervisor saw it) and each was started again after it powered off.
      for (const n of nodes()) assert.match(stderr, new RegExp(`${n} installer: installed: ${n}`), tail);
      for (const n of nodes()) {
        const c = vmOf(n).config;
        assert.equal(c.ide2, undefined, `${n}: the platform ISO is detached`);
        assert.equal(c.ide3, undefined, `${n}: the seed is detached`);
        assert.equal(c.boot, 'order=scsi0');
      }
      assert.deepEqual(
        pve.volumes('pve1', 'local').map((v) => v.replace(/[0-9a-f]{12}/, 'HASH')),
        ['local:iso/kubedos-lab-3-HASH.iso'],
        'the seeds are deleted once their nodes enrolled; the platform ISO stays for redeploys',
      );
      assert.deepEqual(pve.violations, []);
    });

    it('installed each VM to its disk, then booted the disk with Secure Boot on and a TPM present', async () => {
      for (const node of nodes()) {
        const text = backend.console(vmOf(node));
        const installedAt = text.indexOf(`kubedos-install: installed ${node} on /dev/sda`);
        assert.ok(installedAt > 0, `${node}: the installer did not say it installed`);
        // The boot after the install: Secure Boot enabled again, from the disk's own shim and GRUB.
        assert.match(text.slice(installedAt), /secureboot: Secure boot enabled/);
        const r = await inside(
          node,
          'cat /proc/cmdline; ls /dev/tpm0; findmnt -no SOURCE /; cat /etc/kubedos/installed; journalctl -k -b | grep -c "Secure boot enabled"',
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /root=UUID=/);
        assert.doesNotMatch(r.stdout, /kubedos\.install|boot=live/, 'the node runs from its disk, not the ISO');
        assert.match(r.stdout, /\/dev\/tpm0/);
        assert.match(r.stdout, new RegExp(`^lab-3 ${node}$`, 'm'));
        assert.match(r.stdout, /^[1-9]\d*$/m, 'the kernel says Secure Boot is on');
      }
    });

    it('loses the master VM with its disk: redeploy master from the operator’s backup; the others reconnect with the keys they have, the CAs unchanged', async () => {
      const others = nodes().filter((n) => n !== 'master');
      const hubctlIn = async (args: string) => {
        const r = await inside('master', `kubedos-hub ctl ${args}`);
        assert.equal(r.code, 0, `hubctl ${args}: ${r.stderr}`);
        return r.stdout;
      };
      const keys = async () =>
        Promise.all(
          others.map(async (n) => `${n} ${(await inside(n, 'sha256sum /var/lib/kubedos/minion/identity.key')).stdout}`),
        );
      type Cert = { kind: string; name: string; notAfterMs: number };
      const cas = async () =>
        (JSON.parse(await hubctlIn('certs --json')) as Cert[])
          .filter((c) => c.kind === 'ca' || c.kind === 'hub-tls-ca')
          .map((c) => `${c.kind}/${c.name}/${c.notAfterMs}`)
          .sort();
      const shape = async () =>
        (JSON.parse(await hubctlIn('status --json --no-kubernetes')) as StatusResponse__Output).nodes
          .filter((n) => n.role !== 'master')
          .map((n) => `${n.name} gen ${n.generation} ${n.planes.map((p) => p.address).join(',')}`);
      const [keysBefore, casBefore, shapeBefore] = [await keys(), await cas(), await shape()];
      // The operator's copy, off the master (hubctl hub backup --out), before the master is lost.
      const taken = await inside(
        'master',
        'kubedos-hub ctl hub backup --out /root/op.kdbackup --json >/dev/null && base64 -w0 /root/op.kdbackup',
      );
      assert.equal(taken.code, 0, taken.stderr);
      const backup = path.join(dir, 'hub.kdbackup');
      fs.writeFileSync(backup, Buffer.from(taken.stdout.trim(), 'base64'), { mode: 0o600 });
      // The master VM and its disks are gone.
      const api = apiTo(pve);
      const master = vmOf('master');
      await api.waitTask(master.node, await api.task('POST', vmPath(master.node, master.vmid, '/status/stop')), 'stop');
      await api.waitTask(
        master.node,
        await api.task('DELETE', vmPath(master.node, master.vmid), { purge: true }),
        'rm',
      );
      const r = await kubedos(['redeploy', 'master', '--backup', backup, '--run-dir', runRoot(), '--stage', 'enroll']);
      const report = JSON.parse(r.stdout) as DeployReport;
      assert.match(r.stderr, /the new master's hub starts from .*hub\.kdbackup/);
      assert.match(r.stderr, /master installer: installed: master/);
      assert.equal(report.reached, 'enroll');
      assert.equal(report.status!.summary!.connected, 3, r.tail);
      assert.deepEqual(await keys(), keysBefore, 'every other node kept its identity key');
      assert.deepEqual(await shape(), shapeBefore, 'no other node enrolled again; every plane address the same');
      assert.deepEqual(await cas(), casBefore, 'the same CAs');
      assert.equal(vmOf('master').config.ide3, undefined, 'its seed (with the hub state) is detached');
      assert.deepEqual(
        pve.volumes('pve1', 'local').filter((v) => v.includes('-seed-')),
        [],
        'and deleted from the storage',
      );
      assert.deepEqual(pve.violations, []);
    });

    it('then a deploy writes nothing to Proxmox and converges the three, the rebuilt master included', async () => {
      const writes = pve.writes().length;
      const r = await kubedos(['deploy', '--run-dir', runRoot()]);
      deployed = { report: JSON.parse(r.stdout) as DeployReport, stderr: r.stderr, tail: r.tail };
      const { report, tail } = deployed;
      assert.equal(pve.writes().length, writes, JSON.stringify(pve.writes().slice(writes)));
      assert.equal(report.api.writes, 0);
      assert.deepEqual(
        report.vms.map((v) => v.action),
        ['unchanged', 'unchanged', 'unchanged'],
      );
      assert.equal(report.reached, 'converge');
      assert.equal(report.status!.summary!.connected, 3, tail);
      assert.equal(report.status!.convergence!.state, 'done', tail);
    });

    it('runs the hub under systemd in the master VM, confined, and deleted each enrollment credential', async () => {
      const hub = await inside(
        'master',
        'systemctl is-active kubedos-hub; systemctl show -p ProtectSystem,NoNewPrivileges kubedos-hub',
      );
      assert.match(hub.stdout, /^active$/m);
      assert.match(hub.stdout, /ProtectSystem=strict/);
      assert.match(hub.stdout, /NoNewPrivileges=yes/);
      for (const node of nodes()) {
        const r = await inside(node, 'cat /etc/kubedos/identity.json');
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stdout, /credentialSeed/, node);
      }
    });

    it('has the planes in the kernel (wg-quick units) with handshakes on wg1, wg2 and wg3, wg3 node to node', async () => {
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

    it('applies the role firewall on the NIC the VM really has, and loads it at boot (nftables.service)', async () => {
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

    it('keeps time from the master over wg1: chrony on each node reaches the master’s wg1 address', async () => {
      const masterWg1 = `${t.planes
        .find((p) => p.name === 'wg1')!
        .cidr.split('.')
        .slice(0, 3)
        .join('.')}.1`;
      for (const node of ['etcd-1', 'cp-1']) {
        const line = await until(
          `${node}'s chrony reaching ${masterWg1}`,
          async () => {
            const r = await inside(node, 'chronyc -n sources');
            const l = r.stdout.split('\n').find((x) => x.includes(` ${masterWg1} `));
            // chronyc's Reach column (octal): non-zero once an answer came back.
            if (l && l.trim().split(/\s+/)[4] !== '0') return l;
            await new Promise((res) => setTimeout(res, 5000));
            return undefined;
          },
          3 * 60_000,
        );
        assert.ok(line, node);
      }
    });

    it('converged with 0 failed and nothing skipped: kubeadm init too, on the real kernel', () => {
      const conv = deployed.report.status!.convergence!;
      assert.equal(conv.counts!.failed, 0);
      assert.deepEqual(
        conv.skips.map((s) => `${s.task}: ${s.reason}`),
        [],
      );
    });

    it('runs Kubernetes on cp-1 with nothing relaxed: cgroup v2, the kubelet Ready at the pinned version, /readyz passing, a pod Running', async () => {
      const r = await inside(
        'cp-1',
        'stat -fc %T /sys/fs/cgroup; ls /etc/kubernetes/patches 2>&1; grep -c failCgroupV1 /var/lib/kubelet/config.yaml; ' +
          'cat /var/lib/kubelet/kubeadm-flags.env; systemctl is-active containerd kubelet',
      );
      assert.match(r.stdout, /^cgroup2fs$/m, 'the VM runs cgroup v2');
      assert.match(r.stdout, /No such file or directory/, 'no kubeadm patch on a VM');
      assert.match(r.stdout, /^0$/m, 'the kubelet config does not relax cgroup v1');
      assert.doesNotMatch(r.stdout, /ignore-preflight|fail-cgroupv1/i);
      assert.match(r.stdout, /^active\nactive$/m);
      const version = await cp1Ready();
      assert.equal(version, `v${t.kubernetes.version.replace(/^v/, '')}`);
      // Asked until it passes: an apiserver under load can answer a check or two failed for a moment.
      const readyz = await kubectlUntil(
        "cp-1's /readyz passing",
        'get --raw "/readyz?verbose"',
        (out) => out,
        5 * 60_000,
      );
      assert.match(readyz, /\[\+\]etcd ok/);
      assert.match(readyz, /readyz check passed/);
      await testPodRuns();
    });
  });

  describe('kubedos up --substrate qemu on the same disks', () => {
    let second: StatusResponse__Output;
    let stderr: string;

    before(async () => {
      await handOverToQemuRun(pve, backend, t, qemuRun(), runRoot());
      const r = await kubedos(['up', '--substrate', 'qemu', '--run-dir', qemuRun(), '--detach'], 'up --substrate qemu');
      second = JSON.parse(r.stdout) as StatusResponse__Output;
      stderr = r.stderr;
      const stages = r.stderr.split('\n').filter((l) => /^kubedos: +\d+s /.test(l));
      console.log(stages.map((l) => `      ${l}`).join('\n'));
    });

    it('boots the installed disks without installing again, and converges with 0 changed', () => {
      assert.match(stderr, /\bbooting\b/);
      assert.doesNotMatch(stderr, /\binstalling\b/, 'nothing was installed again');
      const conv = second.convergence!;
      assert.equal(conv.state, 'done', JSON.stringify(conv.failures));
      assert.equal(conv.counts!.failed, 0);
      assert.equal(conv.counts!.changed, 0, 'a rebooted, converged platform has nothing to change');
    });

    it('hubctl on the host reaches the hub in the master VM through its guest agent; every node connected', async () => {
      const r = await runBin('hubctl', ['status', '--json'], env, 5 * 60_000);
      assert.equal(r.code, 0, r.stderr);
      const status = JSON.parse(r.stdout) as StatusResponse__Output;
      assert.deepEqual(
        status.nodes.map((n) => `${n.name}:${n.state}`).sort(),
        nodes()
          .map((n) => `${n}:connected`)
          .sort(),
      );
    });

    it('kubedos down stops the VMs and keeps their disks', async () => {
      const down = await runBin('kubedos', ['down', '--substrate', 'qemu', '--run-dir', qemuRun()], env, 10 * 60_000);
      assert.equal(down.code, 0, down.stderr);
      assert.match(down.stderr, /stopped 3 VMs/);
      for (const n of nodes()) assert.ok(fs.existsSync(path.join(qemuRun(), 'nodes', n, 'disk.qcow2')), n);
    });
  });

  // The VMs are stopped by now: the live boot has the machine to itself.
  describeInstallerRefusals(() => {
    const media = path.join(runRoot(), 'media');
    const iso = fs.readdirSync(media).find((f) => /^kubedos-.*\.iso$/.test(f) && !f.includes('seed'));
    assert.ok(iso, `the platform ISO in ${media}`);
    return { deployment: t.name, node: 'cp-1', iso: path.join(media, iso), seed: path.join(media, 'cp-1.seed.iso') };
  });

  describe('kubedos destroy', () => {
    it('removes exactly this deployment and touches nothing else', async () => {
      handBack(pve, t, qemuRun());
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
});
