import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RecordingHost } from '../../minion/tasks/recording-host.ts';
import { kubeadmConfigProblems } from '../support/kubeadm-validate.ts';
import { parseEnvFile } from '../../hub/plan/render/etcd-env.ts';
import { convergeStatus, formatConvergeStatus, taskLogs } from '../../hub/converge/views.ts';
import type { TaskRow } from '../../hub/converge/task-row.ts';
import { decodeSpec } from '../../hub/converge/spec-codec.ts';
import { ConvergeService } from '../../hub/converge/converge-service.ts';
import { makeSim, type Sim } from './sim-support.ts';

function byId(rows: TaskRow[]): Map<string, TaskRow> {
  return new Map(rows.map((r) => [r.task_id, r]));
}

describe('convergence of the 16-node platform on the sim', function () {
  this.timeout(120_000);
  let sim: Sim;
  let rows: Map<string, TaskRow>;
  let firstRun: number;

  before(async () => {
    sim = await makeSim();
    const summary = await sim.engine.waitForRun((firstRun = sim.engine.start(sim.plan)));
    rows = byId(sim.engine.rows(firstRun));
    assert.deepEqual(
      [...rows.values()].filter((r) => r.state !== 'done').map((r) => `${r.task_id}: ${r.error}`),
      [],
    );
    assert.equal(summary.state, 'done');
  });
  after(() => sim?.cleanup());

  it('runs every task of every node and reports the platform converged', () => {
    assert.equal(rows.size, sim.plan.tasks.length);
    const nodes = new Set([...rows.values()].map((r) => r.node));
    for (const n of sim.t.nodes) assert.ok(nodes.has(n.hostname), n.hostname);
    const status = convergeStatus(sim.db)!;
    assert.equal(status.phase, 'converged');
    assert.equal(status.counts.done, status.counts.total);
  });

  it('orders work by the graph: gates before what needs them, independent work side by side', () => {
    const at = (id: string) => rows.get(id)!;
    const init = at('cp-1/kubeadm-init');
    for (const gate of [
      'etcd-1/etcd-healthy',
      'lb-1/api-vip',
      'hub/join-token',
      'hub/certificate-key',
      'cp-1/containerd',
    ]) {
      assert.ok(at(gate).finished_at! <= init.dispatched_at!, `${gate} finished before kubeadm init started`);
    }
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3'])
      assert.ok(at(`${m}/etcd-service`).finished_at! <= at('etcd-1/etcd-healthy').dispatched_at!);
    for (const j of ['cp-2', 'cp-3', 'w-1', 'w-2', 'w-3'])
      assert.ok(at('cp-1/api-ready').finished_at! <= at(`${j}/kubeadm-join`).dispatched_at!, j);
    // No phase barrier: every task with no dependencies was sent before any task finished.
    const roots = [...rows.values()].filter((r) => JSON.parse(r.deps).length === 0 && r.node !== 'hub');
    const firstFinish = Math.min(...[...rows.values()].filter((r) => r.node !== 'hub').map((r) => r.finished_at!));
    assert.ok(roots.length > 20);
    for (const r of roots) assert.ok(r.dispatched_at! <= firstFinish, `${r.task_id} waited for an unrelated task`);
  });

  it('writes the etcd configuration: static bootstrap over wg3 with mutual TLS', () => {
    const env = parseEnvFile(sim.read('etcd-2', 'etc/default/etcd'));
    assert.equal(env.ETCD_NAME, 'etcd-2');
    assert.equal(
      env.ETCD_INITIAL_CLUSTER,
      'etcd-1=https://10.80.0.21:2380,etcd-2=https://10.80.0.22:2380,etcd-3=https://10.80.0.23:2380',
    );
    assert.equal(env.ETCD_LISTEN_PEER_URLS, 'https://10.80.0.22:2380');
    assert.equal(env.ETCD_CLIENT_CERT_AUTH, 'true');
    assert.equal(env.ETCD_PEER_CLIENT_CERT_AUTH, 'true');
    assert.equal(env.ETCD_DATA_DIR, '/var/lib/etcd/platform-16');
    const key = fs.statSync(path.join(sim.root('etcd-2'), 'etc/etcd/pki/server.key'));
    assert.equal(key.mode & 0o777, 0o600);
    // The default unit was masked before the package went in, and started only after the configuration.
    const journal = RecordingHost.readJournal(sim.root('etcd-2')).map((e) => e.argv.join(' '));
    const mask = journal.indexOf('systemctl mask etcd');
    const install = journal.findIndex((l) => l.startsWith('apt-get install -y etcd-server'));
    const start = journal.indexOf('systemctl start etcd');
    assert.ok(mask >= 0 && mask < install && install < start, journal.join('\n'));
  });

  it('writes kubeadm configs that match the v1beta4 types, with the secrets filled in on the node only', () => {
    const init = sim.read('cp-1', 'etc/kubernetes/kubeadm-init.yaml');
    assert.deepEqual(kubeadmConfigProblems(init), []);
    const token = sim.engine.secrets.get('join-token')!;
    const certKey = sim.engine.secrets.get('certificate-key')!;
    assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    assert.ok(init.includes(token) && init.includes(certKey));
    assert.match(init, /controlPlaneEndpoint: 10\.10\.0\.100:6443/);
    assert.match(init, /external:\n\s+endpoints:\n\s+- https:\/\/10\.80\.0\.21:2379/);
    for (const node of ['cp-2', 'w-1']) {
      const join = sim.read(node, 'etc/kubernetes/kubeadm-join.yaml');
      assert.deepEqual(kubeadmConfigProblems(join), []);
      assert.equal(join.includes(certKey), node === 'cp-2', 'only control planes get the certificate key');
    }
    assert.equal(fs.statSync(path.join(sim.root('cp-1'), 'etc/kubernetes/kubeadm-init.yaml')).mode & 0o777, 0o600);
    // The hub's records hold placeholders, never the secret values.
    const dump =
      JSON.stringify(sim.db.prepare('SELECT * FROM converge_task').all()) +
      JSON.stringify(sim.db.prepare('SELECT * FROM converge_log').all());
    assert.ok(!dump.includes(token) && !dump.includes(certKey));
    // Private keys too: stored specs carry references to the hub's secret store, never a key.
    const contents = sim.engine
      .rows(firstRun)
      .flatMap((r) => decodeSpec(r.spec).states)
      .flatMap((x) => [
        x.file?.content ? Buffer.from(x.file.content as Uint8Array).toString() : '',
        x.probe?.clientKeyPem ?? '',
      ]);
    assert.ok(contents.length > 0 && !contents.some((c) => c.includes('PRIVATE KEY')));
    const initSpec = decodeSpec(sim.engine.rows(firstRun).find((r) => r.task_id === 'cp-1/kubeadm-init')!.spec);
    const caKey = initSpec.states.find((x) => x.id === 'cluster-ca-key')!.file!.content as Uint8Array;
    assert.equal(Buffer.from(caKey).toString(), '${secret:pki-kubernetes-ca-key}');
    // ...while the node got the key itself.
    assert.match(fs.readFileSync(path.join(sim.root('cp-1'), 'etc/kubernetes/pki/ca.key'), 'utf8'), /PRIVATE KEY/);
    const spec = decodeSpec(sim.engine.rows(firstRun).find((r) => r.task_id === 'cp-1/kubeadm-init')!.spec);
    const stored = Buffer.from(spec.states.find((x) => x.id === 'config')!.file!.content as Uint8Array).toString();
    assert.ok(stored.includes('${secret:join-token}') && !stored.includes(token));
    // kubeadm ran from those files, guarded so a rerun does nothing.
    const journal = RecordingHost.readJournal(sim.root('cp-2')).map((e) => e.argv.join(' '));
    assert.ok(journal.includes('kubeadm join --config /etc/kubernetes/kubeadm-join.yaml'));
  });

  it('writes haproxy and keepalived for the API VIP with the topology priorities', () => {
    const haproxy = sim.read('lb-2', 'etc/haproxy/haproxy.cfg');
    for (const ip of ['10.80.0.31', '10.80.0.32', '10.80.0.33'])
      assert.match(haproxy, new RegExp(`server cp-\\d ${ip.replaceAll('.', '\\.')}:6443 check`));
    assert.match(haproxy, /mode tcp/);
    const prio = (n: string) => Number(/priority (\d+)/.exec(sim.read(n, 'etc/keepalived/keepalived.conf'))![1]);
    assert.deepEqual([prio('lb-1'), prio('lb-2'), prio('lb-3')], [150, 140, 130]);
    assert.match(sim.read('lb-1', 'etc/keepalived/keepalived.conf'), /state MASTER[\s\S]*10\.10\.0\.100\/24/);
    assert.match(sim.read('lb-3', 'etc/keepalived/keepalived.conf'), /state BACKUP/);
  });

  it('points prometheus at every node exporter on wg2, and grafana at prometheus', () => {
    const targets = JSON.parse(sim.read('prometheus', 'etc/prometheus/targets/nodes.json')) as Array<{
      targets: string[];
      labels: { node: string };
    }>;
    assert.equal(targets.length, 16);
    assert.deepEqual(targets.find((g) => g.labels.node === 'master')!.targets, ['10.79.0.1:9100']);
    assert.deepEqual(targets.find((g) => g.labels.node === 'w-2')!.targets, ['10.79.0.42:9100']);
    assert.match(sim.read('w-2', 'etc/default/prometheus-node-exporter'), /--web.listen-address=10\.79\.0\.42:9100/);
    assert.match(
      sim.read('grafana', 'etc/grafana/provisioning/datasources/kubedos.yaml'),
      /url: http:\/\/10\.79\.0\.11:9090/,
    );
    // Convergence adds no package source: a node's only one is its own signed darksite, from the image.
    assert.throws(() => sim.read('grafana', 'etc/apt/sources.list.d/kubedos-darksite.list'), /ENOENT/);
    assert.match(sim.read('storage', 'etc/exports'), /^\/srv\/nfs\/kubernetes 10\.10\.0\.31\(rw/m);
    assert.match(sim.read('w-1', 'etc/containerd/config.toml'), /SystemdCgroup = true/);
  });

  it('pins and holds kubelet, kubeadm and kubectl at the topology version', () => {
    const journal = RecordingHost.readJournal(sim.root('w-3')).map((e) => e.argv.join(' '));
    assert.ok(
      journal.includes('apt-get install -y kubelet=1.35.4-1.1 kubeadm=1.35.4-1.1 kubectl=1.35.4-1.1'),
      journal.join('\n'),
    );
    assert.ok(journal.includes('apt-mark hold kubelet kubeadm kubectl'));
  });

  it('reports zero changes on a second full run, and runs nothing but guards and probes', async () => {
    const before = RecordingHost.readJournal(sim.root('cp-1')).length;
    const second = await sim.engine.waitForRun(sim.engine.start(sim.plan));
    assert.equal(second.state, 'done');
    assert.equal(
      second.changed,
      0,
      sim.engine
        .rows(second.runId)
        .filter((r) => r.changed)
        .map((r) => `${r.task_id}: ${r.summary}`)
        .join('\n'),
    );
    assert.equal(second.unchanged, sim.plan.tasks.length);
    const again = RecordingHost.readJournal(sim.root('cp-1')).slice(before);
    assert.deepEqual(
      again.filter((e) => !e.argv[0]!.startsWith('#')),
      [],
    );
  });

  it('keeps logs per node and task', () => {
    const logs = taskLogs(sim.db, 'cp-1', 'kubeadm-init');
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.state, 'done');
    assert.match(formatConvergeStatus(convergeStatus(sim.db)!), /converged/);
  });
});

describe('a dry run on the sim', function () {
  this.timeout(60_000);
  it('reports what would change on every node and writes nothing', async () => {
    const sim = await makeSim();
    try {
      const s = await sim.engine.waitForRun(sim.engine.start(sim.plan, { dryRun: true }));
      assert.equal(s.state, 'done');
      const rows = sim.engine.rows(s.runId);
      assert.ok(rows.filter((r) => r.changed).length > 50);
      assert.match(rows.find((r) => r.task_id === 'etcd-1/etcd-config')!.summary, /would write \/etc\/default\/etcd/);
      assert.equal(fs.existsSync(path.join(sim.root('etcd-1'), 'etc')), false);
      assert.deepEqual(
        RecordingHost.readJournal(sim.root('cp-1')).filter((e) => !e.argv[0]!.startsWith('#')),
        [],
      );
      assert.equal(sim.engine.secrets.get('join-token'), undefined, 'a dry run makes no secrets');
    } finally {
      sim.cleanup();
    }
  });
});

describe('the converge service (what hubctl and kubedos up call)', function () {
  this.timeout(60_000);
  it('plans, converges, reports status and logs, and reruns a node', async () => {
    const sim = await makeSim();
    sim.engine.close(); // the service brings its own engine: one hub per database
    const svc = new ConvergeService({
      db: sim.db,
      channel: sim.channel,
      topology: sim.t,
      hubStateDir: path.join(sim.dir, 'hub'),
    });
    try {
      const view = await svc.planView();
      assert.equal(view.nodes.find((n) => n.node === 'etcd-1')!.tasks[0]!.id, 'etcd-1/preflight');
      const { runId, wait } = await svc.startConvergence();
      await assert.rejects(svc.startConvergence(), /still running/);
      assert.equal((await wait).state, 'done');
      assert.equal(svc.status()!.runId, runId);
      assert.equal(svc.status()!.phase, 'converged');
      // One line per task lb-1 ran (its sim minion says what it did).
      assert.equal(svc.logs('lb-1').length, sim.plan.tasks.filter((x) => x.node === 'lb-1').length);
      const again = svc.rerun('w-2');
      assert.deepEqual(
        again.sort(),
        sim.plan.tasks
          .filter((x) => x.node === 'w-2')
          .map((x) => x.id)
          .sort(),
      );
      assert.throws(() => svc.rerun('no-such-node'), /no task or node "no-such-node"/);
      const after = await svc.engine.waitForRun(runId);
      assert.equal(after.state, 'done');
      assert.equal(
        sim.engine.rows(runId).filter((r) => r.node === 'w-2' && r.changed).length,
        0,
        'a rerun of converged work changes nothing',
      );
    } finally {
      svc.close();
      sim.cleanup();
    }
  });
});
