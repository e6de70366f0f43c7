import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { stringify } from 'yaml';
import { ensureDeploymentSecrets, type DeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';
import { startHubEntry } from '../../deploy/toolkit/spawn-entry.ts';
import { hubArgs } from '../../deploy/toolkit/node-files.ts';
import { AdminConnection } from '../../hub/cli/admin-client.ts';
import { buildEnrollRequest } from '../../minion/enrollment-request.ts';
import type { NodeKeys } from '../../minion/node-keys.ts';
import type { EnrollResponse__Output } from '../../proto/gen/kubedos/v1/EnrollResponse.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { NodeIdentityFile } from '../../shared/identity/files.ts';
import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import { contract } from '../../shared/proto/contract.ts';
import { hubChannel } from '../../shared/proto/hub-channel.ts';
import { syntheticTopology } from '../../shared/topology/synthetic.ts';
import { makeNodeKeys, tempDir } from '../support/hub-fixture.ts';

const WORKERS = 150;

describe('hub crash safety', function () {
  let dir: string;
  let secrets: DeploymentSecrets;
  let hub: ChildProcess | undefined;
  const topology = syntheticTopology(WORKERS, 'crash-test');

  const startHub = async (): Promise<number> => {
    const logFile = path.join(dir, 'hub.log');
    const started = await startHubEntry(
      hubArgs({
        stateDir: path.join(dir, 'hub'),
        topologyFile: path.join(dir, 'topology.yaml'),
        secrets,
        listen: '127.0.0.1:0',
      }),
      { stateDir: path.join(dir, 'hub'), logFile, detached: false },
    );
    hub = started.child;
    return started.ready.port;
  };

  before(async () => {
    dir = tempDir('crash');
    fs.writeFileSync(path.join(dir, 'topology.yaml'), stringify(topology));
    secrets = await ensureDeploymentSecrets(path.join(dir, 'secrets'), topology);
  });
  after(() => {
    hub?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses and duplicates nothing when SIGKILLed during a burst of enrollments', async () => {
    const workers = topology.nodes.filter((n) => n.role === 'worker');
    const keys = new Map<string, NodeKeys>(workers.map((n) => [n.hostname, makeNodeKeys()]));
    const identity = (node: string) =>
      JSON.parse(fs.readFileSync(secrets.identityPath(node), 'utf8')) as NodeIdentityFile;
    const enrollAll = async (port: number, nodes: string[], onAck?: (count: number) => void) => {
      const { credentials, options } = hubChannel(secrets.hubCaPem);
      const client = new (contract().Enrollment)(`127.0.0.1:${port}`, credentials, options);
      const acked = new Map<string, EnrollResponse__Output>();
      // Eight in flight at a time, so the kill finds requests at every stage: received, committed, answered.
      const queue = [...nodes];
      const one = (node: string) =>
        new Promise<void>((resolve, reject) =>
          client.Enroll(
            buildEnrollRequest(
              identity(node),
              keys.get(node)!,
              { smbiosUuid: '', smbiosSerial: '' },
              { hostname: node },
            ),
            { deadline: Date.now() + 20_000 },
            (err, res) => {
              if (err) return reject(err);
              acked.set(node, res!);
              onAck?.(acked.size);
              resolve();
            },
          ),
        );
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let node = queue.shift(); node; node = queue.shift()) await one(node).catch(() => {});
        }),
      );
      client.close();
      return acked;
    };

    let port = await startHub();
    let admin = new AdminConnection(path.join(dir, 'hub'));
    await admin.call((a) => a.OpenWindow, { ttlSeconds: 900, role: '', nodes: [] });
    admin.close();

    const victim = hub!;
    let killed = false;
    const firstRun = await enrollAll(
      port,
      workers.map((n) => n.hostname),
      (count) => {
        if (!killed && count >= 40) {
          killed = true;
          victim.kill('SIGKILL');
        }
      },
    );
    await new Promise((r) =>
      victim.exitCode !== null || victim.signalCode !== null ? r(null) : victim.once('exit', r),
    );
    assert.equal(victim.signalCode, 'SIGKILL');
    assert.ok(
      firstRun.size >= 1 && firstRun.size < WORKERS,
      `the kill landed mid-burst (${firstRun.size} acknowledged)`,
    );

    port = await startHub();
    admin = new AdminConnection(path.join(dir, 'hub'));
    const afterCrash = await admin.call<object, StatusResponse__Output>((a) => a.Status, {});
    const state = new Map(afterCrash.nodes.map((n) => [n.name, n]));
    for (const [node, grant] of firstRun) {
      assert.equal(
        state.get(node)?.state,
        'enrolled',
        `${node} was acknowledged before the kill, so it must survive it`,
      );
      assert.deepEqual(
        state.get(node)!.planes.map((p) => `${p.address}/32`),
        grant.planes.map((p) => p.address),
      );
    }

    // Every node retries with its own keys: committed-but-unanswered ones get their grant back, the rest enroll now.
    const secondRun = await enrollAll(
      port,
      workers.map((n) => n.hostname).filter((n) => !firstRun.has(n)),
    );
    assert.equal(firstRun.size + secondRun.size, WORKERS);
    const final = await admin.call<object, StatusResponse__Output>((a) => a.Status, {});
    admin.close();
    const enrolled = final.nodes.filter((n) => n.state === 'enrolled');
    assert.equal(enrolled.length, WORKERS);
    const addresses = enrolled.flatMap((n) => n.planes.map((p) => p.address));
    assert.equal(new Set(addresses).size, 3 * WORKERS, 'no address was allocated twice');
    for (const n of enrolled) {
      const intended = intendedPlaneAddresses(
        topology,
        topology.nodes.find((t) => t.hostname === n.name)!,
      ).map((a) => a.address);
      assert.deepEqual(
        n.planes.map((p) => p.address),
        intended,
      );
    }

    hub!.kill('SIGTERM');
    await new Promise((r) => hub!.once('exit', r));
    const db = new DatabaseSync(path.join(dir, 'hub', 'hub.db'), { readOnly: true });
    assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    const perNode = db.prepare('SELECT node, COUNT(*) AS n FROM allocations GROUP BY node HAVING n != 3').all();
    assert.deepEqual(perNode, []);
    db.close();
  });
});
