import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetnsLab } from '../../deploy/substrates/netns/namespaces.ts';
import { ConvergeEngine } from '../../hub/converge/engine.ts';
import { databaseStores } from '../../hub/converge/run-records.ts';
import { LocalChannel } from '../support/local-channel.ts';
import { CertificateSigner } from '../../hub/pki/certificate-signer.ts';
import { openConvergeDb } from '../../hub/converge/open-db.ts';
import { certificatesDue, currentCertificates } from '../../hub/pki/issued-certificates.ts';
import { recordIssued } from '../../hub/pki/issued-certificates.ts';
import type { DatabaseSync } from 'node:sqlite';
import { until } from '../support/until.ts';
import { buildPlan } from '../../hub/plan/build-plan.ts';
import { ensurePlanMaterial } from '../../hub/plan/material.ts';
import { etcdBackupPlan, etcdRestorePlan, snapshotFileName } from '../../hub/plan/etcd-recovery.ts';
import type { Plan } from '../../hub/plan/model.ts';
import { wg3Address } from '../../hub/pki/etcd-pki.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { requireSystem } from '../support/requirements.ts';
import { LabHost } from './lab-host.ts';

const TAG = 'kdc';
const BRIDGE = 'kdc-br0';
// Our own addresses for wg3, so nothing else on this machine (another lab, a real plane) is touched.
const WG3 = '10.213.80.0/24';

/** The platform topology with wg3 moved to the lab's subnet; only its etcd tasks are run. */
function labTopology(): Topology {
  const t = structuredClone(loadTopology());
  t.planes = t.planes.map((p) => (p.name === 'wg3' ? { ...p, cidr: WG3 } : p));
  return t;
}

function etcdOnly(plan: Plan): Plan {
  const keep = new Set(
    plan.tasks.filter((x) => x.node.startsWith('etcd-') && !x.name.startsWith('node-exporter')).map((x) => x.id),
  );
  return {
    ...plan,
    tasks: plan.tasks.filter((x) => keep.has(x.id)).map((x) => ({ ...x, deps: x.deps.filter((d) => keep.has(d)) })),
  };
}

describe('real etcd cluster from hub-issued certificates (network namespaces)', function () {
  this.timeout(240_000);
  let dir: string;
  let lab: NetnsLab | undefined;
  // Set by the first test, used by the backup test: the cluster it formed.
  let formed:
    | {
        t: Topology;
        plan: Plan;
        engine: ConvergeEngine;
        db: DatabaseSync;
        channel: LocalChannel;
        hosts: Map<string, LabHost>;
        etcdctl: (args: string[]) => Promise<{ exitCode?: number; stdout: unknown; stderr: unknown }>;
      }
    | undefined;

  before(function () {
    requireSystem(this, { root: true, commands: ['etcd', 'etcdctl', 'ip'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-etcd-'));
  });

  after(async () => {
    formed?.engine.close();
    await lab?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('forms a TLS cluster, passes the health gate, and a stopped member rejoins on the next converge', async () => {
    const t = labTopology();
    const plan = etcdOnly(buildPlan(t, await ensurePlanMaterial(path.join(dir, 'hub'), t)));
    const members = t.nodes.filter((n) => n.role === 'etcd');
    lab = NetnsLab.open(path.join(dir, 'lab.json'), TAG);
    await lab.addBridge(BRIDGE, '10.213.80.254/24');
    const hosts = new Map<string, LabHost>();
    const db = openConvergeDb(path.join(dir, 'hub', 'state.db'));
    const signer = new CertificateSigner({
      pkiDir: path.join(dir, 'hub', 'pki'),
      topology: () => t,
      onIssued: (n, p, pem) => recordIssued(db, n, p, pem),
    });
    const channel = new LocalChannel({
      recordCommands: true,
      hostFor: (n) => hosts.get(n.name),
      signCertificate: (n, p, csr) => signer.sign(n, p, csr),
    });
    for (const [i, m] of members.entries()) {
      const ns = `${TAG}-etcd${i + 1}`;
      await lab.addNamespace(ns, { bridge: BRIDGE, address: `${wg3Address(t, m)}/24` });
      const node = channel.addNode(m.hostname, path.join(dir, 'roots', m.hostname));
      hosts.set(m.hostname, new LabHost(node.root, lab, ns, path.join(dir, `${m.hostname}.log`)));
    }
    const engine = new ConvergeEngine(databaseStores(db), channel, {
      backoffMs: () => 500,
    });
    let keep = false;
    try {
      const first = await engine.waitForRun(engine.start(plan));
      const failures = engine.rows(first.runId).filter((r) => r.state !== 'done');
      assert.deepEqual(
        failures.map((r) => `${r.task_id}: ${r.error} ${r.output_tail}`),
        [],
      );
      assert.equal(first.state, 'done');

      // The cluster is real: three started members, and etcdctl over mutual TLS lists all three.
      const root1 = channel.nodes.get('etcd-1')!.root;
      const pki = path.join(root1, 'etc/etcd/pki');
      const health = path.join(root1, 'etc/etcd/healthcheck');
      const etcdctl = (auth: string[]) =>
        lab!.exec(
          'kdc-etcd1',
          [
            'etcdctl',
            '--endpoints',
            `https://${wg3Address(t, members[0]!)}:2379`,
            '--cacert',
            `${pki}/ca.crt`,
            ...auth,
          ],
          { env: { ETCDCTL_API: '3' }, reject: false },
        );
      const authed = (args: string[]) =>
        etcdctl(['--cert', `${health}/client.crt`, '--key', `${health}/client.key`, ...args]);
      const list = await authed(['member', 'list']);
      assert.equal(list.exitCode, 0, String(list.stderr));
      for (const m of members)
        assert.match(
          String(list.stdout),
          new RegExp(`started, ${m.hostname}, https://${wg3Address(t, m).replaceAll('.', '\\.')}:2380`),
        );
      // Without a client certificate the cluster refuses the client.
      const anon = await etcdctl(['--command-timeout', '3s', 'member', 'list']);
      assert.notEqual(anon.exitCode, 0);

      // Stop one member; the next convergence starts it again and the gate sees it healthy.
      const victim = hosts.get('etcd-2')!;
      await lab.stopProcess(victim.pid!);
      assert.equal((await victim.unitStatus('etcd')).active, false);
      const second = await engine.waitForRun(engine.start(plan));
      assert.equal(second.state, 'done');
      const changed = engine
        .rows(second.runId)
        .filter((r) => r.changed)
        .map((r) => r.task_id);
      assert.deepEqual(changed, ['etcd-2/etcd-service']);
      assert.equal((await victim.unitStatus('etcd')).active, true);
      const gate = engine.rows(second.runId).find((r) => r.task_id === 'etcd-1/etcd-healthy')!;
      assert.equal(gate.state, 'done');
      assert.ok(
        gate.finished_at! >= engine.rows(second.runId).find((r) => r.task_id === 'etcd-2/etcd-service')!.finished_at!,
      );
      formed = { t, plan, engine, db, channel, hosts, etcdctl: authed };
      keep = true;
    } finally {
      if (!keep) engine.close();
    }
  });

  it('a snapshot taken by a member brings the whole cluster back after every member lost its data', async function () {
    if (!formed) this.skip();
    const { t, plan, engine, channel, hosts, etcdctl } = formed!;
    const ok = async (args: string[]) => {
      const r = await etcdctl(args);
      assert.equal(r.exitCode, 0, String(r.stderr));
      return String(r.stdout);
    };
    for (let i = 0; i < 20; i++) await ok(['put', `/kubedos/test/k${String(i).padStart(2, '0')}`, `v${i}`]);

    // Three backups with keep 2: each is a run of one task on etcd-2; the oldest is removed.
    t.etcdBackups = { keep: 2 };
    const names = [0, 1, 2].map((i) => snapshotFileName(Date.UTC(2026, 11, 1, 18, 0, i)));
    for (const name of names) {
      const run = await engine.waitForRun(engine.start(etcdBackupPlan(t, 'etcd-2', name)));
      const row = engine.rows(run.runId)[0]!;
      assert.equal(run.state, 'done', `${row.error} ${row.output_tail}`);
      assert.match(
        row.summary,
        /saved \/var\/backups\/kubedos\/etcd\/etcd-\d{8}T\d{6}Z\.db: \d+ bytes, revision \d+, \d+ keys/,
      );
    }
    const backupDir = path.join(channel.nodes.get('etcd-2')!.root, 'var/backups/kubedos/etcd');
    assert.deepEqual(fs.readdirSync(backupDir).sort(), names.slice(1));
    assert.equal(fs.statSync(path.join(backupDir, names[2]!)).mode & 0o777, 0o600);
    // The same backup asked again (a retried task) takes nothing new.
    const again = await engine.waitForRun(engine.start(etcdBackupPlan(t, 'etcd-2', names[2]!)));
    assert.equal(engine.rows(again.runId)[0]!.changed, 0);

    // A snapshot that is missing, or broken since it was taken, is refused before any member stops.
    const material = await ensurePlanMaterial(path.join(dir, 'hub'), t);
    const whole = fs.readFileSync(path.join(backupDir, names[2]!));
    const broken = Buffer.from(whole);
    for (let i = 4096; i < 4096 + 64; i++) broken[i] = broken[i]! ^ 0xff;
    fs.writeFileSync(path.join(backupDir, 'broken.db'), broken, { mode: 0o600 });
    for (const [snapshot, id] of [
      ['/var/backups/kubedos/etcd/broken.db', 'r0a'],
      ['/var/backups/kubedos/etcd/missing.db', 'r0b'],
    ] as const) {
      const refused = await engine.waitForRun(
        engine.start(etcdRestorePlan(t, material, { node: 'etcd-2', snapshot }, id)),
      );
      assert.equal(refused.state, 'failed', snapshot);
      const rows = engine.rows(refused.runId);
      assert.equal(rows.find((r) => r.task_id === 'etcd-2/etcd-restore-stage')!.state, 'failed', snapshot);
      assert.deepEqual(
        rows.filter((r) => r.task_id.endsWith('/etcd-stop') && r.state === 'done'),
        [],
        'no member was stopped',
      );
      await ok(['put', `/kubedos/test/still-${id}`, 'x']);
    }
    fs.rmSync(path.join(backupDir, 'broken.db'));
    // Written after the snapshot: a restore must not have it.
    await ok(['put', '/kubedos/test/after', 'x']);
    // Every member loses its data.
    for (const [name, host] of hosts) {
      await host.unitAction('etcd', 'stop');
      fs.rmSync(path.join(channel.nodes.get(name)!.root, 'var/lib/etcd', t.name), { recursive: true, force: true });
    }
    const snapshot = `/var/backups/kubedos/etcd/${names[2]}`;
    const restore = await engine.waitForRun(
      engine.start(etcdRestorePlan(t, material, { node: 'etcd-2', snapshot }, 'r1')),
    );
    assert.deepEqual(
      engine
        .rows(restore.runId)
        .filter((r) => r.state !== 'done')
        .map((r) => `${r.task_id}: ${r.error} ${r.output_tail}`),
      [],
    );
    assert.equal(restore.state, 'done');

    const keys = (await ok(['get', '/kubedos/test/', '--prefix', '--keys-only'])).split('\n').filter(Boolean);
    assert.deepEqual(
      keys,
      Array.from({ length: 20 }, (_, i) => `/kubedos/test/k${String(i).padStart(2, '0')}`),
    );
    const members = await ok(['member', 'list']);
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) assert.match(members, new RegExp(`started, ${m}, `));
    // The cluster takes writes again, and the next ordinary convergence finds nothing to change in etcd.
    await ok(['put', '/kubedos/test/after-restore', 'y']);
    const next = await engine.waitForRun(engine.start(plan));
    assert.equal(next.state, 'done');
    assert.deepEqual(
      engine
        .rows(next.runId)
        .filter((r) => r.changed)
        .map((r) => r.task_id),
      [],
    );
  });

  it('renews every certificate before it expires, and the cluster keeps working past the old ones’ expiry', async function () {
    if (!formed) this.skip();
    const { t, engine, db, channel, etcdctl } = formed!;
    // Short-lived certificates: 40 s, so they are renewed from about 26 s after they were signed.
    t.certificates = { leafLifetime: '40s' };
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3'])
      for (const f of ['server.crt', 'peer.crt'])
        fs.rmSync(path.join(channel.nodes.get(m)!.root, 'etc/etcd/pki', f), { force: true });
    fs.rmSync(path.join(channel.nodes.get('etcd-1')!.root, 'etc/etcd/healthcheck/client.crt'), { force: true });
    const plan = etcdOnly(buildPlan(t, await ensurePlanMaterial(path.join(dir, 'hub'), t), { etcdBootstrapped: true }));
    const short = await engine.waitForRun(engine.start(plan));
    assert.equal(short.state, 'done');
    const first = currentCertificates(db);
    assert.equal(first.length, 7, 'server and peer for three members, and the health-check client');
    assert.ok(first.every((c) => c.notAfter - Date.now() < 41_000));
    assert.deepEqual(certificatesDue(db), []);

    await until('the certificates are due', async () => (certificatesDue(db).length === 7 ? true : undefined), 60_000);
    const renewal = await engine.waitForRun(engine.start(plan));
    assert.equal(renewal.state, 'done');
    const renewed = currentCertificates(db);
    for (const c of renewed)
      assert.notEqual(c.serial, first.find((x) => x.node === c.node && x.profile === c.profile)!.serial);
    // etcd was restarted with its new certificates (restartOnChange): every member's service task changed.
    assert.deepEqual(
      engine
        .rows(renewal.runId)
        .filter((r) => r.name === 'etcd-service' && r.changed)
        .map((r) => r.node)
        .sort(),
      ['etcd-1', 'etcd-2', 'etcd-3'],
    );
    // Past the first certificates' expiry the cluster still answers over mutual TLS, with every member.
    const expired = Math.max(...first.map((c) => c.notAfter));
    await new Promise((r) => setTimeout(r, Math.max(0, expired - Date.now() + 2_000)));
    const health = await etcdctl(['endpoint', 'health', '--cluster']);
    assert.equal(health.exitCode, 0, String(health.stderr));
    assert.equal((String(health.stdout) + String(health.stderr)).match(/is healthy/g)?.length, 3);
    t.certificates = undefined;
  });
});
