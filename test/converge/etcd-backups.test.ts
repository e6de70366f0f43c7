import assert from 'node:assert/strict';
import path from 'node:path';
import { ConvergeService } from '../../hub/converge/converge-service.ts';
import { backupInterval, EtcdBackupSchedule } from '../../hub/converge/etcd-backup-schedule.ts';
import { convergeStatus } from '../../hub/converge/views.ts';
import { memoryLogger } from '../support/hub-fixture.ts';
import { makeSim, type Sim } from './sim-support.ts';

/**
 * The hub's side of etcd backups on the sim: when the schedule takes one,
 * what the hub lists, and what it refuses. The snapshot and the restore
 * themselves run against real etcd in test/etcd/real-etcd.test.ts and in
 * the nspawn lab.
 */
describe('etcd backups: the schedule, the list, the refusals (sim)', function () {
  this.timeout(60_000);
  let sim: Sim;
  let svc: ConvergeService;
  let schedule: EtcdBackupSchedule;
  const hour = 3_600_000;
  // Far from the real clock: the schedule must count from the backups it took, not from the time of day.
  const t0 = Date.UTC(2031, 0, 1, 18, 0, 0);

  before(async () => {
    sim = await makeSim();
    sim.engine.close(); // the service brings its own engine: one hub per database
    sim.t.etcdBackups = { keep: 2 };
    svc = new ConvergeService({
      db: sim.db,
      channel: sim.channel,
      topology: sim.t,
      hubStateDir: path.join(sim.dir, 'hub'),
    });
    schedule = new EtcdBackupSchedule({
      db: sim.db,
      service: svc,
      everyMs: backupInterval('6h')!,
      log: memoryLogger(),
    });
  });
  after(() => {
    svc?.close();
    sim?.cleanup();
  });

  it('waits for a cluster that exists, then takes one every interval, counted from the last', async () => {
    assert.equal(schedule.tick(t0), 'not ready');
    assert.throws(() => svc.startEtcdBackup(t0), /never passed its health gate/);
    const { wait } = await svc.startConvergence();
    const converged = await wait;
    assert.equal(converged.state, 'done');

    assert.equal(schedule.tick(t0), 'started');
    const first = svc.engine.latestRun()!;
    // A convergence asked for during a backup waits for it instead of being refused.
    const during = await svc.startConvergence({ dryRun: true });
    assert.equal(svc.engine.run(first.id)!.state, 'done');
    await during.wait;
    assert.equal(schedule.tick(t0 + hour), 'not due');
    assert.equal(schedule.tick(t0 + 6 * hour), 'started');
    await svc.engine.waitForRun(svc.engine.latestRun()!.id);
    assert.equal(schedule.tick(t0 + 12 * hour), 'started');
    await svc.engine.waitForRun(svc.engine.latestRun()!.id);

    // keep 2: the member keeps the newest two, and so does the list; newest first, on the first member.
    const list = svc.etcdBackups();
    assert.deepEqual(
      list.map((b) => [b.name, b.node, b.path]),
      [
        ['etcd-20310102T060000Z.db', 'etcd-1', '/var/backups/kubedos/etcd/etcd-20310102T060000Z.db'],
        ['etcd-20310102T000000Z.db', 'etcd-1', '/var/backups/kubedos/etcd/etcd-20310102T000000Z.db'],
      ],
    );
    // Status and logs stay on the convergence, not on the finished backup runs after it.
    assert.equal(convergeStatus(sim.db)!.runId, during.runId);
    assert.equal(convergeStatus(sim.db, first.id)!.counts.total, 1);
    // hubctl rerun means that convergence too, not the backup run after it.
    assert.deepEqual(svc.rerun('etcd-1/preflight'), ['etcd-1/preflight']);
    assert.equal((await svc.engine.waitForRun(during.runId)).state, 'done');
  });

  it('takes a backup through the first member that is connected', async () => {
    sim.channel.disconnect('etcd-1');
    try {
      const b = svc.startEtcdBackup(t0 + 13 * hour);
      assert.equal(b.node, 'etcd-2');
      assert.equal((await b.wait).state, 'done');
    } finally {
      sim.channel.connect('etcd-1');
    }
  });

  it('refuses a restore of a backup it does not list, or while a member is offline', async () => {
    await assert.rejects(svc.startEtcdRestore('etcd-19990101T000000Z.db'), /no etcd backup is named/);
    const name = svc.etcdBackups()[0]!.name;
    sim.channel.disconnect('etcd-3');
    try {
      await assert.rejects(
        svc.startEtcdRestore(name),
        /a restore needs every etcd member, and etcd-3 is not connected/,
      );
    } finally {
      sim.channel.connect('etcd-3');
    }
    const r = await svc.startEtcdRestore(name);
    assert.equal(r.node, 'etcd-2');
    const done = await r.wait;
    assert.equal(done.state, 'done');
    // Every member stopped first; the holder restored, then the others joined one after another.
    const rows = svc.engine.rows(r.runId);
    const at = (id: string) => rows.find((x) => x.task_id === id)!;
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) {
      // The snapshot is proven whole on its holder before any member stops.
      assert.ok(at('etcd-2/etcd-restore-stage').finished_at! <= at(`${m}/etcd-stop`).dispatched_at!);
      assert.ok(at(`${m}/etcd-stop`).finished_at! <= at('etcd-2/etcd-restore').dispatched_at!);
    }
    assert.ok(at('etcd-2/etcd-service').finished_at! <= at('etcd-1/etcd-join').dispatched_at!);
    assert.ok(at('etcd-1/etcd-service').finished_at! <= at('etcd-3/etcd-join').dispatched_at!);
  });
  it('no longer offers the backups of a member replaced since (its disk is another)', async () => {
    const before = svc.etcdBackups();
    assert.ok(before.some((b) => b.node === 'etcd-2'));
    // What hubctl replace etcd-2 records: its identity key revoked now.
    sim.db
      .prepare("INSERT INTO revoked_keys (public_key, node, kind, revoked_at) VALUES (?, 'etcd-2', 'identity', ?)")
      .run(Buffer.alloc(32, 9), Date.now());
    const after = svc.etcdBackups();
    assert.deepEqual(
      after.map((b) => b.name),
      before.filter((b) => b.node !== 'etcd-2').map((b) => b.name),
    );
    await assert.rejects(
      svc.startEtcdRestore(before.find((b) => b.node === 'etcd-2')!.name),
      /no etcd backup is named/,
    );
  });
});
