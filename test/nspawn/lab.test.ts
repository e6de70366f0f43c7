import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { execa } from 'execa';
import { KUBELET_KERNEL_TUNABLES, NspawnLab } from '../../deploy/substrates/nspawn/containers.ts';
import {
  nspawnNewCredential,
  nspawnRebuildMaster,
  nspawnRebuildNode,
} from '../../deploy/substrates/nspawn/substrate.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { loadKubePins } from '../../iso-builder/kubernetes/pins.ts';
import { builtAgnhostRef, builtKubernetes } from '../support/built-images.ts';
import { failedTaskLogs } from '../support/failed-task-logs.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';
import { runBin } from '../support/run-bin.ts';
import { until } from '../support/until.ts';
import {
  addressesOf,
  isNeeded,
  LISTENER_SCRIPT,
  neededConnections,
  PROBED_PORTS,
  PROBER_SCRIPT,
} from './needed-connections.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const TOPOLOGY = path.join(REPO, 'examples/platform-16.yaml');
const t = loadTopology(TOPOLOGY);
const wg = (plane: 'wg2' | 'wg3', node: string) =>
  addressesOf(
    t,
    t.nodes.find((x) => x.hostname === node)!,
  )[plane];

const run = runBin;

/** What `hubctl converge --json` prints of a finished run. */
type ConvergeOutcome = { state: string; failures: unknown[]; counts: { changed: number; failed: number } };

/**
 * The whole platform on sixteen real Debian 13 containers, through the
 * operator's own commands: `kubedos up --substrate nspawn`, `hubctl`,
 * `kubedos down`. Every check reads the real daemons inside the nodes
 * (systemd, etcd, haproxy, keepalived, prometheus, nftables), never the
 * hub's word for it.
 */
describe('nspawn lab: the 16-node platform converges on real Debian 13 containers', function () {
  this.timeout(40 * 60_000);
  let runRoot: string;
  let env: NodeJS.ProcessEnv;
  let lab: NspawnLab;
  let up: StatusResponse__Output;
  const inside = (node: string, argv: string[]) => lab.exec(node, argv, { reject: false, timeoutMs: 60_000 });
  /** Runs the host's node in a container's network namespace only (the image has no HTTP client). */
  const fetchFrom = async (node: string, url: string): Promise<string> => {
    const pid = lab.initPid(node)!;
    const script = `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => process.stdout.write(t))`;
    return (await execa('nsenter', ['--target', String(pid), '--net', '--', process.execPath, '-e', script])).stdout;
  };
  const hubctl = async (args: string[]) => {
    const r = await run('hubctl', args, env, 10 * 60_000);
    assert.equal(r.code, 0, `hubctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** A node as hubctl status shows it (both sides). */
  const statusOf = async (node: string) =>
    (JSON.parse(await hubctl(['status', '--json'])) as StatusResponse__Output).nodes.find((n) => n.name === node);
  const vipHolders = async () => {
    const holders: string[] = [];
    for (const lb of ['lb-1', 'lb-2', 'lb-3']) {
      const r = await inside(lb, ['ip', '-4', '-o', 'addr', 'show']);
      if (r.stdout.includes(` ${t.apiVip}/`)) holders.push(lb);
    }
    return holders;
  };

  let tunablesBefore: Record<string, string>;
  const kernelTunables = () =>
    Object.fromEntries(
      Object.keys(KUBELET_KERNEL_TUNABLES).map((k) => [
        k,
        fs.readFileSync(`/proc/sys/${k.replaceAll('.', '/')}`, 'utf8').trim(),
      ]),
    );

  before(async function () {
    requireSystem(this, { root: true, commands: ['systemd-nspawn', 'mmdebstrap', 'nsenter', 'ip'] });
    runRoot = path.join(tempDir('nspawn-lab'), 'run');
    env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: process.env.HOME ?? '/root',
      KUBEDOS_HUB_DIR: '',
    };
    tunablesBefore = kernelTunables();
    const started = Date.now();
    const r = await run(
      'kubedos',
      ['up', '--substrate', 'nspawn', '--topology', TOPOLOGY, '--run-dir', runRoot, '--detach', '--json'],
      env,
    );
    console.log(`      kubedos up --substrate nspawn: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${r.code}`);
    lab = NspawnLab.openRecorded(path.join(runRoot, 'nspawn.json'))!;
    assert.ok(lab, `up left no lab state:\n${r.stderr.slice(-3000)}`);
    env.KUBEDOS_HUB_DIR = path.join(lab.rootOf('master'), 'var/lib/kubedos/hub');
    if (r.code !== 0)
      assert.fail(
        `kubedos up failed (exit ${r.code}):\n${r.stderr.slice(-3000)}\n${await failedTaskLogs(r.stderr, env)}`,
      );
    up = JSON.parse(r.stdout) as StatusResponse__Output;
  });

  after(async function () {
    if (!runRoot || !fs.existsSync(path.join(runRoot, 'nspawn.json'))) return;
    const r = await run('kubedos', ['down', '--substrate', 'nspawn', '--run-dir', runRoot], env, 5 * 60_000);
    assert.equal(r.code, 0, r.stderr);
    // The kernel tunables the lab set for its kubelets (the host's kernel) are the host's own again.
    assert.deepEqual(kernelTunables(), tunablesBefore);
  });

  it('brings every node to connected and converges with 0 failed, only grafana skipped (with its reason)', async function () {
    assert.equal(up.summary!.connected, 16);
    const conv = up.convergence!;
    assert.equal(conv.state, 'done', JSON.stringify(conv.failures));
    assert.equal(conv.counts!.failed, 0);
    assert.equal(conv.counts!.blocked, 0);
    // Kubernetes is built from the pins (kubedos build-kubernetes), images included: no Kubernetes phase is skipped.
    const reasons = new Set(conv.skips.map((s) => s.reason));
    assert.ok(reasons.has('the darksite does not carry grafana'), [...reasons].join('; '));
    assert.deepEqual(
      conv.skips.filter((s) => !/grafana|was skipped/.test(`${s.task} ${s.reason}`)),
      [],
      'nothing but grafana is skipped',
    );
    // hubctl on the host reaches the hub inside the master container and says the same.
    const status = JSON.parse(await hubctl(['status', '--json'])) as StatusResponse__Output;
    assert.equal(status.summary!.connected, 16);
    assert.equal(status.convergence!.state, 'done');
  });

  it('installs the Kubernetes packages built from the pins on every Kubernetes node, held at that version', async function () {
    const pins = loadKubePins();
    const v = pins.kubernetes.version;
    for (const node of ['cp-1', 'w-3']) {
      const ask = async (argv: string[]) => {
        const r = await inside(node, argv);
        assert.equal(r.exitCode, 0, `${node}: ${argv.join(' ')}: ${r.stderr}`);
        return r.stdout.trim();
      };
      assert.equal(await ask(['kubeadm', 'version', '-o', 'short']), v);
      assert.equal(await ask(['kubelet', '--version']), `Kubernetes ${v}`);
      assert.match(await ask(['kubectl', 'version', '--client']), new RegExp(`Client Version: ${v}`));
      assert.equal(
        await ask(['dpkg-query', '-W', '-f=${Package} ${Version}\\n', 'kubelet', 'kubeadm', 'kubectl']),
        ['kubeadm', 'kubectl', 'kubelet'].map((p) => `${p} ${v.slice(1)}-${pins.debRevision}`).join('\n'),
      );
      assert.equal(await ask(['apt-mark', 'showhold', 'kubelet', 'kubeadm', 'kubectl']), 'kubeadm\nkubectl\nkubelet');
      // systemd sees kubeadm's drop-in on the kubelet unit.
      assert.match(await ask(['systemctl', 'cat', 'kubelet']), /kubelet\.service\.d\/10-kubeadm\.conf/);
    }
  });

  /** kubectl on cp-1 with kubeadm's admin.conf, whose server is the API VIP: every call goes through haproxy. */
  const kubectlTry = (args: string[], input?: string) => {
    const argv = ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', ...args];
    return execa('nsenter', ['--target', String(lab.initPid('cp-1')), '--all', '--', ...argv], {
      reject: false,
      timeout: 120_000,
      ...(input === undefined ? {} : { input }),
    });
  };
  /** The same, which must succeed: its output. */
  const kubectl = async (args: string[], input?: string) => {
    const r = await kubectlTry(args, input);
    assert.equal(r.exitCode, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  interface KubeNode {
    metadata: { name: string };
    spec: { taints?: { key: string; effect: string }[] };
    status: {
      conditions: { type: string; status: string; lastHeartbeatTime: string }[];
      nodeInfo: { kubeletVersion: string };
    };
  }
  const ready = (n: KubeNode) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  /** The node Ready in the API from a heartbeat after `since`: its restarted kubelet said so. */
  const readyAfterRestart = (node: string, since: number) =>
    until(
      `${node} Ready in the API, from its restarted kubelet`,
      async () => {
        const n = JSON.parse(await kubectl(['get', 'node', node, '-o', 'json'])) as KubeNode;
        const c = n.status.conditions.find((x) => x.type === 'Ready');
        return c?.status === 'True' && Date.parse(c.lastHeartbeatTime) > since ? true : undefined;
      },
      180_000,
    );

  it('Kubernetes converges: six nodes Ready through the API VIP, three apiservers ready with etcd, control planes tainted', async function () {
    const server = (
      await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])
    ).trim();
    assert.equal(server, `https://${t.apiVip}:6443`);
    const nodes = await until(
      'six Ready nodes',
      async () => {
        const list = (JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: KubeNode[] }).items;
        return list.length === 6 && list.every(ready) ? list : undefined;
      },
      5 * 60_000,
    );
    const v = loadKubePins().kubernetes.version;
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['cp-1', 'cp-2', 'cp-3', 'w-1', 'w-2', 'w-3']);
    for (const n of nodes) {
      assert.equal(n.status.nodeInfo.kubeletVersion, v, n.metadata.name);
      const tainted = (n.spec.taints ?? []).some(
        (x) => x.key === 'node-role.kubernetes.io/control-plane' && x.effect === 'NoSchedule',
      );
      assert.equal(tainted, n.metadata.name.startsWith('cp-'), n.metadata.name);
    }
    // Each apiserver itself, on its wg3 address: ready, its etcd check included.
    for (const cp of ['cp-1', 'cp-2', 'cp-3']) {
      const readyz = await kubectl(['--server', `https://${wg('wg3', cp)}:6443`, 'get', '--raw', '/readyz?verbose']);
      assert.match(readyz, /\[\+\]etcd ok/, cp);
      assert.match(readyz, /readyz check passed/, cp);
    }
    // The API is backed by the three apiservers, as the cluster records them.
    const endpoints = JSON.parse(
      await kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=kubernetes', '-o', 'json']),
    ) as {
      items: { endpoints: { addresses: string[] }[] }[];
    };
    assert.deepEqual(
      endpoints.items.flatMap((e) => e.endpoints.flatMap((x) => x.addresses)).sort(),
      ['cp-1', 'cp-2', 'cp-3'].map((n) => wg('wg3', n)).sort(),
    );
  });

  it('pods reach each other across nodes over wg3; CoreDNS and a ClusterIP Service answer (the built test image, nothing pulled)', async function () {
    const agnhost = await builtAgnhostRef();
    const pod = (name: string, node: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'netexec' } },
      spec: {
        nodeName: node,
        containers: [
          { name: 'netexec', image: agnhost, imagePullPolicy: 'Never', args: ['netexec', '--http-port=8080'] },
        ],
      },
    });
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'netexec', namespace: 'default' },
      spec: { selector: { app: 'netexec' }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [pod('netexec-w1', 'w-1'), pod('netexec-w3', 'w-3'), service],
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(list));
    await kubectl(['wait', '--for=condition=Ready', 'pod/netexec-w1', 'pod/netexec-w3', '--timeout=180s']);
    const ipOf = async (p: string) => (await kubectl(['get', 'pod', p, '-o', 'jsonpath={.status.podIP}'])).trim();
    const [w1, w3] = [await ipOf('netexec-w1'), await ipOf('netexec-w3')];
    // Each pod has an address in its own node's /24 of the pod CIDR.
    assert.equal(w1.split('.').slice(0, 3).join('.'), '10.244.41');
    assert.equal(w3.split('.').slice(0, 3).join('.'), '10.244.43');
    /** The pod on w-1 dials `host:port` itself (agnhost netexec's /dial) and says who answered. */
    const dialFromW1 = async (host: string, port: number) => {
      const url = `http://${w1}:8080/dial?request=hostname&protocol=http&host=${host}&port=${port}&tries=3`;
      return JSON.parse(await fetchFrom('cp-1', url)) as { responses?: string[]; errors?: string[] };
    };
    // Pod to pod across nodes, by pod IP (w-1 to w-3, over wg3).
    const direct = await dialFromW1(w3, 8080);
    assert.ok(direct.responses?.length && direct.responses.every((r) => r === 'netexec-w3'), JSON.stringify(direct));
    // A Service name: CoreDNS resolves it, kube-proxy's nftables rules take the ClusterIP to a pod.
    const viaService = await dialFromW1('netexec.default.svc.cluster.local', 80);
    assert.ok(
      viaService.responses?.every((r) => ['netexec-w1', 'netexec-w3'].includes(r)),
      JSON.stringify(viaService),
    );
    // CoreDNS answers for the API's own Service too, and the pod reaches the API through it.
    const api = await kubectl([
      'exec',
      'netexec-w1',
      '--',
      '/agnhost',
      'connect',
      '--timeout=5s',
      'kubernetes.default.svc.cluster.local:443',
    ]);
    assert.equal(api.trim(), '');
    await kubectl(['delete', '-f', '-', '--wait=false'], JSON.stringify(list));
  });

  it('hands the operator a kubeconfig (hubctl kubeconfig) that works from the host through the API VIP', async function () {
    const out = path.join(tempDir('kubeconfig'), 'kubeconfig');
    await hubctl(['kubeconfig', '--out', out]);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    // The built kubectl, on the host: the lab's bridge carries the LAN gateway's address, the VIP answers there.
    const build = await builtKubernetes();
    const r = await execa(path.join(build.dir, 'bin', 'kubectl'), ['--kubeconfig', out, 'get', 'nodes', '-o', 'name'], {
      reject: false,
      timeout: 60_000,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trim().split('\n').sort(),
      ['cp-1', 'cp-2', 'cp-3', 'w-1', 'w-2', 'w-3'].map((n) => `node/${n}`),
    );
  });

  it('keeps Secrets encrypted at rest in etcd: the raw key holds secretbox ciphertext, not the value', async function () {
    const canary = `kubedos-canary-${Date.now()}`;
    await kubectl(['create', 'secret', 'generic', 'at-rest', `--from-literal=word=${canary}`]);
    // Read through the API it is the value; read from etcd itself (etcd-1, over wg3) it is sealed.
    const viaApi = await kubectl(['get', 'secret', 'at-rest', '-o', 'jsonpath={.data.word}']);
    assert.equal(Buffer.from(viaApi, 'base64').toString(), canary);
    const raw = await readFrom('etcd-1', '/registry/secrets/default/at-rest');
    assert.match(raw, /^k8s:enc:secretbox:v1:key1:/);
    assert.ok(!raw.includes(canary), 'the value is not in etcd in the clear');
    await kubectl(['delete', 'secret', 'at-rest']);
  });

  it('runs the minion (and on the master the hub) under systemd in every container', async function () {
    for (const n of t.nodes) {
      const units = n.role === 'master' ? ['kubedos-minion', 'kubedos-hub'] : ['kubedos-minion'];
      const r = await inside(n.hostname, ['systemctl', 'is-active', ...units]);
      assert.equal(r.stdout.trim(), units.map(() => 'active').join('\n'), `${n.hostname}: ${r.stdout}`);
    }
  });

  const endpoints = ['etcd-1', 'etcd-2', 'etcd-3'].map((e) => `https://${wg('wg3', e)}:2379`).join(',');
  const tls = [
    '--cacert=/etc/etcd/pki/ca.crt',
    '--cert=/etc/etcd/healthcheck/client.crt',
    '--key=/etc/etcd/healthcheck/client.key',
  ];

  /** A key as one member serves it (asked from etcd-1, over wg3, with the health-check client certificate). */
  const readFrom = async (member: string, key: string) =>
    (
      await inside('etcd-1', [
        'etcdctl',
        `--endpoints=https://${wg('wg3', member)}:2379`,
        ...tls,
        'get',
        '--print-value-only',
        key,
      ])
    ).stdout.trim();

  it('forms a three-member etcd cluster over wg3 with mutual TLS that keeps what is written', async function () {
    // The etcd built from the pins, in Debian's package: kubeadm 1.35 refuses Debian 13's own 3.5.16.
    const version = await inside('etcd-2', ['etcd', '--version']);
    assert.match(version.stdout, new RegExp(`^etcd Version: ${loadKubePins().etcd.version.slice(1)}$`, 'm'));
    const health = await inside('etcd-1', ['etcdctl', `--endpoints=${endpoints}`, ...tls, 'endpoint', 'health']);
    assert.equal((health.stdout + health.stderr).match(/is healthy/g)?.length, 3, health.stdout + health.stderr);
    const put = await inside('etcd-1', ['etcdctl', `--endpoints=${endpoints}`, ...tls, 'put', '/kubedos/lab', 'kept']);
    assert.equal(put.exitCode, 0, put.stderr);
    assert.equal(await readFrom('etcd-3', '/kubedos/lab'), 'kept');
    // Without a client certificate etcd refuses the client.
    const anon = await inside('etcd-1', [
      'etcdctl',
      `--endpoints=https://${wg('wg3', 'etcd-2')}:2379`,
      '--cacert=/etc/etcd/pki/ca.crt',
      '--command-timeout=5s',
      'get',
      '/kubedos/lab',
    ]);
    assert.notEqual(anon.exitCode, 0);
  });

  it('has every rendered config accepted by its own daemon’s checker', async function () {
    const checks: Array<[string, string[]]> = [
      ['lb-1', ['haproxy', '-c', '-f', '/etc/haproxy/haproxy.cfg']],
      ['lb-2', ['keepalived', '--config-test', '--use-file=/etc/keepalived/keepalived.conf']],
      ['prometheus', ['promtool', 'check', 'config', '/etc/prometheus/prometheus.yml']],
    ];
    for (const [node, argv] of checks) {
      const r = await inside(node, argv);
      assert.equal(r.exitCode, 0, `${node}: ${argv.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    }
  });

  it('applies the role firewall on the LAN interface the node itself has (host0 in a container)', async function () {
    for (const node of ['w-1', 'lb-2', 'etcd-3', 'prometheus']) {
      const r = await inside(node, ['nft', 'list', 'table', 'inet', 'kubedos']);
      assert.equal(r.exitCode, 0, `${node}: ${r.stderr}`);
      assert.match(r.stdout, /iifname "host0" udp dport \{ 51821, 51822, 51823 \} accept/);
      assert.doesNotMatch(r.stdout, /"eth0"|"ens18"/);
    }
  });

  it('admits exactly the connections the platform needs, and drops the rest (the applied nftables, probed)', async function () {
    const needed = neededConnections(t);
    const targets = t.nodes;
    const listeners = await Promise.all(
      targets.map(async (n) => {
        const pid = lab.initPid(n.hostname)!;
        const p = execa('nsenter', [
          '--target', String(pid), '--net', '--', process.execPath, '-e', LISTENER_SCRIPT, JSON.stringify(PROBED_PORTS),
        ]); // prettier-ignore
        await new Promise<void>((resolve, reject) => {
          p.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
          p.catch(reject);
        });
        // Wrapped: an async function returning the subprocess itself would wait for it to exit.
        return { process: p };
      }),
    );
    try {
      const wrong: string[] = [];
      let admitted = 0;
      let probed = 0;
      for (const src of t.nodes) {
        const probes: Array<[string, number, string]> = [];
        for (const dst of targets) {
          if (dst === src) continue;
          for (const address of Object.values(addressesOf(t, dst)))
            for (const port of PROBED_PORTS) probes.push([address, port, dst.hostname]);
        }
        const pid = lab.initPid(src.hostname)!;
        const r = await execa('nsenter', [
          '--target', String(pid), '--net', '--', process.execPath, '-e', PROBER_SCRIPT,
          JSON.stringify(probes.map(([a, p]) => [a, p])),
        ]); // prettier-ignore
        const verdicts = JSON.parse(r.stdout) as string[];
        probes.forEach(([address, port, dst], i) => {
          const got = verdicts[i] === 'open' || verdicts[i] === 'refused';
          const want = isNeeded(needed, src.hostname, address, port);
          probed++;
          if (got) admitted++;
          if (got !== want)
            wrong.push(
              `${src.hostname} → ${dst} ${address}:${port}: ${verdicts[i]}, expected ${want ? 'admitted' : 'dropped'}`,
            );
        });
      }
      console.log(`      ${probed} probes, ${admitted} admitted, ${needed.length} needed connections`);
      assert.deepEqual(wrong, []);
    } finally {
      for (const l of listeners) l.process.kill('SIGKILL');
      await Promise.allSettled(listeners.map((l) => l.process));
    }
  });

  it('has prometheus scrape every node exporter and the hub over wg2 (read from prometheus’s own API)', async function () {
    const api = `http://${wg('wg2', 'prometheus')}:9090/api/v1`;
    const healths = await until(
      'every scrape target up',
      async () => {
        const body = JSON.parse(await fetchFrom('prometheus', `${api}/targets`)) as {
          data: { activeTargets: Array<{ labels: { node: string; job: string }; health: string; scrapeUrl: string }> };
        };
        const targets = body.data.activeTargets;
        return targets.length === 17 && targets.every((x) => x.health === 'up') ? targets : undefined;
      },
      120_000,
    );
    const nodes = healths.filter((x) => x.labels.job === 'node');
    assert.deepEqual(nodes.map((x) => x.labels.node).sort(), t.nodes.map((n) => n.hostname).sort());
    assert.ok(nodes.every((x) => x.scrapeUrl.startsWith('http://10.79.0.')));
    const hub = healths.filter((x) => x.labels.job === 'kubedos-hub');
    assert.deepEqual(
      hub.map((x) => x.scrapeUrl),
      [`http://${wg('wg2', 'master')}:9464/metrics`],
    );
    // The hub's own count of connected nodes, as prometheus has it.
    const query = encodeURIComponent('sum(kubedos_nodes{state="connected"})');
    const result = JSON.parse(await fetchFrom('prometheus', `${api}/query?query=${query}`)) as {
      data: { result: Array<{ value: [number, string] }> };
    };
    assert.equal(Number(result.data.result[0]?.value[1]), t.nodes.length);
  });

  it('holds the API VIP on the VRRP master and moves it when haproxy stops there, and back', async function () {
    assert.deepEqual(await vipHolders(), ['lb-1']);
    const stopped = Date.now();
    assert.equal((await inside('lb-1', ['systemctl', 'stop', 'haproxy'])).exitCode, 0);
    const moved = await until(
      'the VIP on lb-2',
      async () => ((await vipHolders()).join() === 'lb-2' ? Date.now() : undefined),
      60_000,
    );
    console.log(`      VIP moved lb-1 → lb-2 in ${((moved - stopped) / 1000).toFixed(1)} s after haproxy stopped`);
    assert.equal((await inside('lb-1', ['systemctl', 'start', 'haproxy'])).exitCode, 0);
    await until(
      'the VIP back on lb-1',
      async () => ((await vipHolders()).join() === 'lb-1' ? true : undefined),
      60_000,
    );
  });

  it('keeps the API answering through the VIP while haproxy, then keepalived, stops on the VRRP master', async function () {
    const ca = fs.readFileSync(path.join(lab.rootOf('cp-1'), 'etc/kubernetes/pki/ca.crt'));
    /** /readyz through the VIP from the host (the bridge carries the LAN gateway), every 200 ms. */
    const readyz = () =>
      new Promise<boolean>((resolve) => {
        const req = https.get(`https://${t.apiVip}:6443/readyz`, { ca, timeout: 1_000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(false));
      });
    for (const daemon of ['haproxy', 'keepalived']) {
      assert.deepEqual(await vipHolders(), ['lb-1']);
      // Before: the API answers through the VIP (back on lb-1 as soon as its haproxy runs: give it a moment).
      await until('the API through the VIP before', async () => ((await readyz()) ? true : undefined), 30_000);
      let last = Date.now();
      let gap = 0;
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          if (await readyz()) {
            gap = Math.max(gap, Date.now() - last);
            last = Date.now();
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      assert.equal((await inside('lb-1', ['systemctl', 'stop', daemon])).exitCode, 0);
      await until('the VIP on lb-2', async () => ((await vipHolders()).join() === 'lb-2' ? true : undefined), 60_000);
      const moved = Date.now();
      // The cluster answers through the VIP from its new holder.
      await until('the API through the VIP on lb-2', async () => (last > moved ? true : undefined), 60_000);
      watching = false;
      await watcher;
      console.log(
        `      ${daemon} stopped on lb-1: longest gap of the API through the VIP ${(gap / 1000).toFixed(1)} s`,
      );
      assert.ok(JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])).items.length === 6);
      assert.equal((await inside('lb-1', ['systemctl', 'start', daemon])).exitCode, 0);
      await until(
        'the VIP back on lb-1',
        async () => ((await vipHolders()).join() === 'lb-1' ? true : undefined),
        60_000,
      );
    }
  });

  it('changes nothing on a second converge', async function () {
    const out = JSON.parse(await hubctl(['converge', '--json'])) as {
      state: string;
      counts: { changed: number; failed: number };
    };
    assert.equal(out.state, 'done');
    assert.equal(out.counts.failed, 0);
    assert.equal(out.counts.changed, 0);
  });

  it('brings a restarted node container back connected, its services running and Ready in the API, without an operator', async function () {
    const stateOf = async () => (await statusOf('w-2'))?.state;
    await lab.stop('w-2');
    assert.equal(lab.isRunning('w-2'), false);
    // The hub must have seen the node go before "connected" can mean it came back.
    await until('w-2 seen gone', async () => ((await stateOf()) !== 'connected' ? true : undefined), 60_000);
    const restartedAt = Date.now();
    lab.boot('w-2', lab.bridge!, path.join(runRoot, 'logs', 'w-2.console.log'), 'w-2');
    await lab.waitForInit('w-2');
    await until('w-2 connected again', async () => ((await stateOf()) === 'connected' ? true : undefined), 180_000);
    // The exporter binds its wg2 address: it runs once the minion has brought wg2 up again, by itself.
    await until(
      'w-2 node exporter and containerd active',
      async () => {
        const r = await inside('w-2', ['systemctl', 'is-active', 'prometheus-node-exporter', 'containerd']);
        return r.stdout.trim() === 'active\nactive' ? true : undefined;
      },
      120_000,
    );
    // The cluster says so too: the restarted kubelet reported the node Ready (a heartbeat after the restart).
    await readyAfterRestart('w-2', restartedAt);
    const out = JSON.parse(await hubctl(['converge', '--json'])) as { counts: { changed: number; failed: number } };
    assert.equal(out.counts.failed, 0);
  });

  /**
   * A ConfigMap written through the VIP, asked again while the API answers Unavailable: a member that just
   * restarted (replaced, restored) resets the apiserver's connection to it once, and a create is not retried.
   */
  const createConfigMap = (name: string, literal: string) =>
    until(
      `configmap ${name} created`,
      async () => {
        const r = await kubectlTry(['create', 'configmap', name, `--from-literal=${literal}`]);
        if (r.exitCode === 0 || /AlreadyExists/.test(r.stderr)) return true;
        assert.match(r.stderr, /Unavailable|connection reset|EOF|timed out/, `create configmap ${name}: ${r.stderr}`);
        return undefined;
      },
      60_000,
    );
  interface KubePod {
    metadata: { name: string; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status: { conditions?: { type: string; status: string }[] };
  }
  /** The test workload's live pods (not terminating), with their nodes. */
  const spreadPods = async () =>
    (JSON.parse(await kubectl(['get', 'pods', '-l', 'app=spread', '-o', 'json'])) as { items: KubePod[] }).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const readyPod = (p: KubePod) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  /** The Node's creation time, once it is Ready again (a new Node object when the node was replaced). */
  const readySince = async (node: string, limitMs: number) =>
    until(
      `${node} Ready in the API`,
      async () => {
        const r = await kubectlTry(['get', 'node', node, '-o', 'json']);
        if (r.exitCode !== 0) return undefined;
        const n = JSON.parse(r.stdout) as KubeNode & { metadata: { creationTimestamp: string } };
        return ready(n) ? Date.parse(n.metadata.creationTimestamp) : undefined;
      },
      limitMs,
    );
  /** After hubctl replace: a window for that node only, the node rebuilt blank, enrolled and converged. */
  const rebuildAndConverge = async (node: string) => {
    await hubctl(['enroll', 'open', '--node', node, '--ttl', '15m']);
    await nspawnRebuildNode(runRoot, node);
    lab = NspawnLab.openRecorded(path.join(runRoot, 'nspawn.json'))!;
    await until(
      `${node} connected again`,
      async () => ((await statusOf(node))?.state === 'connected' ? true : undefined),
      240_000,
    );
    const out = JSON.parse(await hubctl(['converge', '--json'])) as { state: string; failures: unknown[] };
    assert.equal(out.state, 'done', JSON.stringify(out.failures));
  };

  it('shows each node’s Kubernetes side in hubctl status, read from the API: Ready and the kubelet version', async function () {
    const s = JSON.parse(await hubctl(['status', '--json'])) as StatusResponse__Output;
    assert.equal(s.kubernetesError, '');
    const v = loadKubePins().kubernetes.version;
    for (const n of s.nodes) {
      if (['cp', 'worker'].includes(n.role)) {
        assert.equal(n.kubernetes?.ready, true, `${n.name}: ${JSON.stringify(n.kubernetes)}`);
        assert.equal(n.kubernetes?.kubeletVersion, v, n.name);
      } else assert.equal(n.kubernetes, null, `${n.name} runs no kubelet`);
    }
    const table = await hubctl(['status']);
    assert.match(table, new RegExp(`w-1 .* connected .* Ready ${v.replace(/\./g, '\\.')}`));
  });

  it('replaces a worker: hubctl replace drains w-2 (its pods move) and deletes its Node; the rebuilt w-2 joins and is Ready', async function () {
    const agnhost = await builtAgnhostRef();
    // One pod per worker (control planes and cordoned or lost nodes are not counted: nodeTaintsPolicy Honor);
    // off a lost node in seconds, not the default five minutes.
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'spread', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'spread' } },
        template: {
          metadata: { labels: { app: 'spread' } },
          spec: {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'DoNotSchedule',
                nodeTaintsPolicy: 'Honor',
                labelSelector: { matchLabels: { app: 'spread' } },
              },
            ],
            tolerations: ['unreachable', 'not-ready'].map((k) => ({
              key: `node.kubernetes.io/${k}`,
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 5,
            })),
            terminationGracePeriodSeconds: 2,
            containers: [
              { name: 'netexec', image: agnhost, imagePullPolicy: 'Never', args: ['netexec', '--http-port=8080'] },
            ],
          },
        },
      },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(deployment));
    await kubectl(['rollout', 'status', 'deployment/spread', '--timeout=180s']);
    const before = (await spreadPods()).filter((p) => p.spec.nodeName === 'w-2').map((p) => p.metadata.name);
    assert.equal(before.length, 1, 'one pod on w-2 before the replacement');
    const replacedAt = Date.now();
    const said = await hubctl(['replace', 'w-2', '--credential-key', await nspawnNewCredential(runRoot, 'w-2')]);
    assert.match(said, /w-2: drained w-2: 1 pod evicted in \d+ s; Node w-2 deleted/, said);
    // The cluster let it go: no Node w-2, its pod replaced on another worker.
    const gone = await kubectlTry(['get', 'node', 'w-2']);
    assert.match(gone.stderr, /NotFound/, gone.stdout);
    await until(
      'three ready pods, none on w-2',
      async () => {
        const pods = await spreadPods();
        return pods.length === 3 &&
          pods.every(readyPod) &&
          pods.every((p) => p.spec.nodeName !== 'w-2' && !before.includes(p.metadata.name))
          ? true
          : undefined;
      },
      120_000,
    );
    await rebuildAndConverge('w-2');
    const created = await readySince('w-2', 180_000);
    assert.ok(created > replacedAt - 1000, 'w-2 is a new Node object');
    console.log(`      worker replaced and Ready: ${((Date.now() - replacedAt) / 1000).toFixed(0)} s`);
  });

  it('loses a worker hard (w-3 killed): its pod is rescheduled, hubctl status shows it lost on both sides; back when it boots', async function () {
    const on3 = (await spreadPods()).filter((p) => p.spec.nodeName === 'w-3').map((p) => p.metadata.name);
    assert.ok(on3.length >= 1, 'a pod on w-3');
    await lab.stop('w-3', 0);
    await until(
      'three ready pods, none on w-3',
      async () => {
        const pods = await spreadPods();
        return pods.length === 3 && pods.every(readyPod) && pods.every((p) => p.spec.nodeName !== 'w-3')
          ? true
          : undefined;
      },
      240_000,
    );
    const lost = await until(
      'w-3 lost for the hub and NotReady for the cluster',
      async () => {
        const n = await statusOf('w-3');
        return n?.state === 'lost' && n.kubernetes?.registered && n.kubernetes.ready === false ? n : undefined;
      },
      120_000,
    );
    assert.match(lost.kubernetes!.reason, /NodeStatusUnknown/);
    assert.match(await hubctl(['status']), /w-3 .* lost .* NotReady/);
    const bootedAt = Date.now();
    lab.boot('w-3', lab.bridge!, path.join(runRoot, 'logs', 'w-3.console.log'), 'w-3');
    await lab.waitForInit('w-3');
    await until(
      'w-3 connected again',
      async () => ((await statusOf('w-3'))?.state === 'connected' ? true : undefined),
      180_000,
    );
    await readyAfterRestart('w-3', bootedAt);
    await kubectl(['delete', 'deployment', 'spread', '--wait=false']);
  });

  it('loses a control plane: with cp-2 powered off the API takes reads and writes; hubctl replace brings a new cp-2 back as a control plane', async function () {
    await lab.stop('cp-2', 0);
    // Straight after the loss: haproxy has not seen it yet, its retries take each connection elsewhere.
    for (let i = 0; i < 10; i++) {
      const w = await kubectlTry(['create', 'configmap', `cp-loss-${i}`, `--from-literal=i=${i}`]);
      assert.equal(w.exitCode, 0, `write ${i} with cp-2 gone: ${w.stderr}`);
      const r = await kubectlTry(['get', 'configmap', `cp-loss-${i}`, '-o', 'jsonpath={.data.i}']);
      assert.equal(r.stdout, String(i), `read ${i} with cp-2 gone: ${r.stderr}`);
    }
    const replacedAt = Date.now();
    const said = await hubctl(['replace', 'cp-2', '--credential-key', await nspawnNewCredential(runRoot, 'cp-2')]);
    assert.match(said, /cp-2: drained cp-2.*; Node cp-2 deleted/, said);
    await rebuildAndConverge('cp-2');
    const created = await readySince('cp-2', 300_000);
    assert.ok(created > replacedAt - 1000, 'cp-2 is a new Node object');
    console.log(`      control plane replaced and Ready: ${((Date.now() - replacedAt) / 1000).toFixed(0)} s`);
    // Three apiservers again: cp-2's own is ready with etcd, and the kubernetes Service is backed by all three.
    const readyz = await kubectl(['--server', `https://${wg('wg3', 'cp-2')}:6443`, 'get', '--raw', '/readyz?verbose']);
    assert.match(readyz, /readyz check passed/);
    await until(
      'three apiservers behind the kubernetes Service',
      async () => {
        const slices = JSON.parse(
          await kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=kubernetes', '-o', 'json']),
        ) as { items: { endpoints: { addresses: string[] }[] }[] };
        const addresses = slices.items.flatMap((e) => e.endpoints.flatMap((x) => x.addresses)).sort();
        return addresses.length === 3 ? addresses : undefined;
      },
      120_000,
    );
    const node = JSON.parse(await kubectl(['get', 'node', 'cp-2', '-o', 'json'])) as KubeNode;
    assert.ok(node.spec.taints?.some((x) => x.key === 'node-role.kubernetes.io/control-plane'));
    await kubectl(['delete', 'configmap', ...Array.from({ length: 10 }, (_, i) => `cp-loss-${i}`)]);
  });

  it('replaces an etcd member: the rebuilt node rejoins as existing, three healthy members keep the data', async function () {
    await hubctl(['replace', 'etcd-2', '--credential-key', await nspawnNewCredential(runRoot, 'etcd-2')]);
    await hubctl(['enroll', 'open', '--node', 'etcd-2', '--ttl', '15m']);
    await nspawnRebuildNode(runRoot, 'etcd-2');
    // The test's own view of the lab was read before the rebuild: read the recorded state again.
    lab = NspawnLab.openRecorded(path.join(runRoot, 'nspawn.json'))!;
    const empty = await inside('etcd-2', ['test', '-e', '/var/lib/etcd/platform-16/member']);
    assert.notEqual(empty.exitCode, 0, 'the rebuilt etcd-2 starts with an empty data dir');
    await until(
      'etcd-2 enrolled and connected again',
      async () => ((await statusOf('etcd-2'))?.state === 'connected' ? true : undefined),
      240_000,
    );
    const out = JSON.parse(await hubctl(['converge', '--json'])) as {
      state: string;
      counts: { failed: number };
      failures: unknown[];
    };
    assert.equal(out.state, 'done', JSON.stringify(out.failures));
    const logs = JSON.parse(await hubctl(['logs', 'etcd-2', 'etcd-join', '--json'])) as Array<{ summary: string }>;
    assert.match(logs[0]!.summary, /removed stale member .*added etcd-2 .*joins as existing/, JSON.stringify(logs));
    const list = await inside('etcd-1', [
      'etcdctl',
      `--endpoints=${endpoints}`,
      ...tls,
      'member',
      'list',
      '-w',
      'json',
    ]);
    const members = (JSON.parse(list.stdout) as { members: Array<{ name: string }> }).members;
    assert.deepEqual(members.map((m) => m.name).sort(), ['etcd-1', 'etcd-2', 'etcd-3']);
    const health = await inside('etcd-1', ['etcdctl', `--endpoints=${endpoints}`, ...tls, 'endpoint', 'health']);
    assert.equal((health.stdout + health.stderr).match(/is healthy/g)?.length, 3, health.stdout + health.stderr);
    assert.equal(
      await readFrom('etcd-2', '/kubedos/lab'),
      'kept',
      'the key written before the replacement is read from the new member',
    );
  });

  it('backs etcd up and restores it through hubctl: every member back, the data as it was at the backup, the apiservers serving it by themselves', async function () {
    const put = (value: string) =>
      inside('etcd-1', ['etcdctl', `--endpoints=${endpoints}`, ...tls, 'put', '/kubedos/restore', value]);
    assert.equal((await put('at-backup')).exitCode, 0);
    await createConfigMap('before-backup', 'at=backup');
    const backup = JSON.parse(await hubctl(['etcd', 'backup', '--json'])) as { state: string; failures: unknown[] };
    assert.equal(backup.state, 'done', JSON.stringify(backup.failures));
    const list = JSON.parse(await hubctl(['etcd', 'backups', '--json'])) as Array<{
      name: string;
      node: string;
      path: string;
      summary: string;
    }>;
    const newest = list[0]!;
    assert.match(newest.summary, /saved .*: \d+ bytes, revision \d+, \d+ keys/);
    const file = await inside(newest.node, ['stat', '-c', '%a %U', newest.path]);
    assert.equal(file.stdout.trim(), '600 root');
    assert.equal((await put('after-backup')).exitCode, 0);
    await createConfigMap('after-backup', 'at=later');

    const restored = JSON.parse(await hubctl(['etcd', 'restore', newest.name, '--yes', '--json'])) as {
      state: string;
      failures: unknown[];
    };
    assert.equal(restored.state, 'done', JSON.stringify(restored.failures));
    assert.equal(await readFrom('etcd-3', '/kubedos/restore'), 'at-backup');
    assert.equal(await readFrom('etcd-2', '/kubedos/lab'), 'kept');
    const health = await inside('etcd-1', ['etcdctl', `--endpoints=${endpoints}`, ...tls, 'endpoint', 'health']);
    assert.equal((health.stdout + health.stderr).match(/is healthy/g)?.length, 3, health.stdout + health.stderr);
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) {
      // systemd runs each member as Debian's etcd user, from a data dir that user owns; the old one is kept beside.
      const owner = await inside(m, ['stat', '-c', '%U', '/var/lib/etcd/platform-16/member']);
      assert.equal(owner.stdout.trim(), 'etcd', m);
      const aside = await inside(m, ['sh', '-c', 'ls -d /var/lib/etcd/platform-16.before-*']);
      assert.equal(aside.exitCode, 0, `${m} keeps its old data dir`);
    }
    // Kubernetes on top serves the restored state by itself (no apiserver restarted by hand): each apiserver is
    // ready with etcd, the object from before the backup is there, the one from after it is gone, writes work.
    for (const cp of ['cp-1', 'cp-2', 'cp-3']) {
      await until(
        `${cp}'s apiserver ready again`,
        async () => {
          const r = await kubectlTry(['--server', `https://${wg('wg3', cp)}:6443`, 'get', '--raw', '/readyz']);
          return r.exitCode === 0 && r.stdout.trim() === 'ok' ? true : undefined;
        },
        180_000,
      );
    }
    await until(
      'the API serving the restored state',
      async () => {
        const kept = await kubectlTry(['get', 'configmap', 'before-backup', '-o', 'jsonpath={.data.at}']);
        const later = await kubectlTry(['get', 'configmap', 'after-backup']);
        const listed = await kubectlTry(['get', 'configmaps', '-o', 'name']);
        return kept.stdout === 'backup' &&
          /NotFound/.test(later.stderr) &&
          listed.stdout.includes('configmap/before-backup') &&
          !listed.stdout.includes('configmap/after-backup')
          ? true
          : undefined;
      },
      180_000,
    );
    await createConfigMap('after-restore', 'at=restored');
    assert.equal(await kubectl(['get', 'configmap', 'after-restore', '-o', 'jsonpath={.data.at}']), 'restored');
    const after = JSON.parse(await hubctl(['converge', '--json'])) as { state: string; failures: unknown[] };
    assert.equal(after.state, 'done', JSON.stringify(after.failures));
  });

  it('says what expires when (hubctl certs): the certificates the hub signed, its CAs and its TLS certificate', async function () {
    const certs = JSON.parse(await hubctl(['certs', '--json'])) as Array<{
      kind: string;
      name: string;
      node: string;
      notAfterMs: number;
      renewAtMs: number;
    }>;
    const leaves = certs.filter((c) => c.kind === 'leaf').map((c) => `${c.node}/${c.name}`);
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3'])
      for (const p of ['etcd-server', 'etcd-peer'])
        assert.ok(leaves.includes(`${m}/${p}`), `${m}/${p}: ${leaves.join(' ')}`);
    assert.deepEqual(
      certs.filter((c) => c.kind === 'ca').map((c) => c.name),
      ['etcd-ca', 'kubernetes-ca'],
    );
    assert.equal(certs.filter((c) => c.kind === 'hub-tls').length, 1);
    assert.equal(certs.filter((c) => c.kind === 'hub-tls-ca').length, 1);
    for (const c of certs.filter((x) => x.kind === 'leaf'))
      assert.ok(Number(c.renewAtMs) > Date.now(), `${c.node}/${c.name}`);
  });

  it('loses the master with its disk: redeployed from a hub backup, every node reconnects with its old identity, the CAs unchanged, and a second converge changes nothing', async function () {
    const others = t.nodes.filter((n) => n.role !== 'master').map((n) => n.hostname);
    const identities = () =>
      Object.fromEntries(
        others.map((n) => [
          n,
          fs.readFileSync(path.join(lab.rootOf(n), 'var/lib/kubedos/minion/identity.key'), 'utf8'),
        ]),
      );
    type Cert = { kind: string; name: string; notAfterMs: number };
    const cas = async () =>
      (JSON.parse(await hubctl(['certs', '--json'])) as Cert[])
        .filter((c) => c.kind === 'ca' || c.kind === 'hub-tls-ca')
        .map((c) => `${c.kind}/${c.name}/${c.notAfterMs}`)
        .sort();
    const statusNow = async () =>
      JSON.parse(await hubctl(['status', '--json', '--no-kubernetes'])) as StatusResponse__Output;
    const shape = (s: StatusResponse__Output) =>
      s.nodes
        .filter((n) => n.role !== 'master')
        .map((n) => `${n.name} gen ${n.generation} ${n.planes.map((p) => p.address).join(',')}`);
    const keysBefore = identities();
    const casBefore = await cas();
    const shapeBefore = shape(await statusNow());
    // The operator's copy, off the master.
    const backup = path.join(path.dirname(runRoot), 'hub.kdbackup');
    const tookAt = Date.now();
    const taken = JSON.parse(await hubctl(['hub', 'backup', '--out', backup, '--json'])) as {
      bytes: number;
      name: string;
    };
    console.log(`      hub backup of the 16-node hub: ${taken.bytes} bytes (sealed) in ${Date.now() - tookAt} ms`);
    assert.equal(fs.statSync(backup).size, taken.bytes);
    // The storage node keeps a copy too, over its session: the master's loss does not take it. The restore uses that one.
    const onStorage = path.join(lab.rootOf('storage'), 'var/backups/kubedos/hub', taken.name);
    await until('the storage node to keep the backup', () => (fs.existsSync(onStorage) ? true : undefined), 60_000);
    assert.deepEqual(fs.readFileSync(onStorage), fs.readFileSync(backup));
    const fromStorage = path.join(path.dirname(runRoot), 'hub-from-storage.kdbackup');
    fs.copyFileSync(onStorage, fromStorage);
    // The master and its disk are lost; a new one is stamped from the same image and its hub restored from the backup.
    const lostAt = Date.now();
    await nspawnRebuildMaster(runRoot, { backup: fromStorage });
    await hubctl(['enroll', 'open', '--node', 'master']);
    const back = await until(
      'every node connected to the new master',
      async () => {
        const s = await statusNow();
        return s.summary!.connected === 16 ? s : undefined;
      },
      5 * 60_000,
    );
    console.log(
      `      master redeployed from its backup: 16 nodes connected ${((Date.now() - lostAt) / 1000).toFixed(0)} s after`,
    );
    assert.deepEqual(identities(), keysBefore, 'every node kept its identity key');
    assert.deepEqual(shape(back), shapeBefore, 'no node enrolled again; every plane address the same');
    assert.deepEqual(await cas(), casBefore, 'the same CAs');
    // A node whose dpkg was stopped mid-way (what a killed apt-get leaves: its journal, which apt refuses to pass).
    await inside('w-1', ['touch', '/var/lib/dpkg/updates/0000']);
    const stuck = await inside('w-1', ['apt-get', 'check']);
    assert.match(`${stuck.stdout}${stuck.stderr}`, /dpkg was interrupted/);
    // The new master converges its own part, and w-1's package task repairs dpkg first; then nothing changes anywhere.
    const first = JSON.parse(await hubctl(['converge', '--json'])) as ConvergeOutcome;
    assert.equal(first.state, 'done', JSON.stringify(first.failures));
    const check = await inside('w-1', ['apt-get', 'check']);
    assert.equal(check.exitCode, 0, check.stderr);
    const second = JSON.parse(await hubctl(['converge', '--json'])) as ConvergeOutcome;
    assert.equal(second.state, 'done', JSON.stringify(second.failures));
    assert.equal(second.counts.changed, 0, 'a second converge changes nothing');
  });
});
