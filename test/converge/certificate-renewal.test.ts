import assert from 'node:assert/strict';
import path from 'node:path';
import { ConvergeService } from '../../hub/converge/converge-service.ts';
import { certificateInventory } from '../../hub/pki/certificate-inventory.ts';
import { certificatesDue, currentCertificates } from '../../hub/pki/issued-certificates.ts';
import { CertificateRenewalWatch } from '../../hub/pki/renewal-watch.ts';
import { CertificateAuthority } from '../../shared/pki/certificate-authority.ts';
import { HUB_TLS_CA, issueHubTlsLeaf } from '../../shared/pki/hub-tls.ts';
import { renewalTime } from '../../shared/pki/renewal.ts';
import { memoryLogger } from '../support/hub-fixture.ts';
import { until } from '../support/until.ts';
import { makeSim, type Sim } from './sim-support.ts';

/**
 * The hub's watch over the certificates it signed (sim): it starts the
 * convergence that renews them once they are due, not before, and says
 * what expires when. Real etcd across a renewal: test/etcd/real-etcd.test.ts.
 */
describe('certificate renewal: the hub watches what it signed (sim)', function () {
  this.timeout(60_000);
  let sim: Sim;
  let svc: ConvergeService;
  let watch: CertificateRenewalWatch;

  before(async () => {
    sim = await makeSim();
    sim.engine.close(); // the service brings its own engine: one hub per database
    sim.t.certificates = { leafLifetime: '6s' };
    svc = new ConvergeService({
      db: sim.db,
      channel: sim.channel,
      topology: sim.t,
      hubStateDir: path.join(sim.dir, 'hub'),
    });
    watch = new CertificateRenewalWatch({ db: sim.db, service: svc, log: memoryLogger() });
  });
  after(() => {
    svc?.close();
    sim?.cleanup();
  });

  it('renews in the last third of a lifetime, at most 30 days before expiry', () => {
    const day = 86_400_000;
    assert.equal(renewalTime(0, 3_000), 2_000);
    assert.equal(renewalTime(0, 365 * day), 335 * day);
  });

  it('starts the convergence that renews them when they are due, and not before', async () => {
    assert.equal(await watch.tick(), 'none due');
    const { wait } = await svc.startConvergence();
    assert.equal((await wait).state, 'done');
    const first = currentCertificates(sim.db);
    // etcd server and peer for 3 members, the health-check client, the API servers' etcd client on 3 control planes.
    assert.equal(first.length, 10);
    assert.equal(await watch.tick(), 'none due');

    await until('due', async () => (certificatesDue(sim.db).length === 10 ? true : undefined), 20_000);
    assert.equal(await watch.tick(), 'started');
    assert.equal(await watch.tick(), 'busy');
    await svc.engine.waitForRun(svc.engine.latestRun()!.id);
    const renewed = currentCertificates(sim.db);
    assert.equal(renewed.length, 10);
    for (const c of renewed) assert.ok(!first.some((f) => f.serial === c.serial), `${c.node}/${c.profile} renewed`);
    assert.equal(await watch.tick(), 'none due');
  });

  it('lists what expires when, soonest first: leaves, CAs, the hub TLS certificate', async () => {
    const ca = await CertificateAuthority.ensure(path.join(sim.dir, 'tls'), HUB_TLS_CA, sim.t.name);
    const served = await issueHubTlsLeaf(ca);
    const list = certificateInventory(sim.db, path.join(sim.dir, 'hub', 'pki'), {
      caPem: ca.certPem,
      certPem: served.certPem,
      renewAtMs: Date.now() + 20 * 86_400_000,
    });
    assert.deepEqual(
      [...new Set(list.map((c) => c.kind))],
      ['leaf', 'bootstrap-token', 'hub-tls', 'ca', 'hub-tls-ca'],
      'six-second leaves first, then the 24-hour join token, the 30-day TLS certificate, the ten-year CAs last',
    );
    const sorted = [...list].sort((a, b) => Number(a.notAfterMs) - Number(b.notAfterMs));
    assert.deepEqual(list, sorted);
    assert.ok(list.filter((c) => c.kind === 'leaf').every((c) => Number(c.renewAtMs) < Number(c.notAfterMs)));
  });
});
