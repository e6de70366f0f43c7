import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetnsLab } from '../../deploy/netns/namespaces.ts';
import { ConvergeEngine } from '../../hub/converge/engine.ts';
import { LocalChannel } from '../support/local-channel.ts';
import { CertificateSigner } from '../../hub/pki/certificate-signer.ts';
import { openConvergeDb } from '../../hub/converge/open-db.ts';
import { buildPlan } from '../../hub/plan/build-plan.ts';
import { ensurePlanMaterial } from '../../hub/plan/material.ts';
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

  before(function () {
    requireSystem(this, { root: true, commands: ['etcd', 'etcdctl', 'ip'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-etcd-'));
  });

  after(async () => {
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
    const signer = new CertificateSigner({ pkiDir: path.join(dir, 'hub', 'pki'), topology: () => t });
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
    const engine = new ConvergeEngine(openConvergeDb(path.join(dir, 'hub', 'state.db')), channel, {
      backoffMs: () => 500,
    });
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
      const list = await etcdctl(['--cert', `${health}/client.crt`, '--key', `${health}/client.key`, 'member', 'list']);
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
    } finally {
      engine.close();
    }
  });
});
