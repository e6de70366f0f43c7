import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { HubPlanes } from '../../hub/planes/hub-planes.ts';
import { PlaneSync } from '../../hub/planes/plane-sync.ts';
import { SessionRegistry, type SessionCall } from '../../hub/sessions/registry.ts';
import { importInventory } from '../../hub/state/inventory.ts';
import { CORE_MIGRATIONS } from '../../hub/state/migrations.ts';
import { openHubDb } from '../../hub/state/open-db.ts';
import type { ConfigUpdate } from '../../proto/gen/kubedos/v1/ConfigUpdate.ts';
import type { HubMessage } from '../../proto/gen/kubedos/v1/HubMessage.ts';
import { generateSigningKeyPair } from '../../shared/keys/ed25519.ts';
import { generateWireguardKeyPair, toBase64 } from '../../shared/keys/wireguard.ts';
import { createLogger } from '../../shared/log.ts';
import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import type { CommandRunner } from '../../shared/planes/command-runner.ts';
import { loadTopology } from '../../shared/topology/load.ts';

const t = loadTopology();

/** Commands the hub's planes would run, recorded instead (no root needed); interfaces "exist" once created. */
function recordingRunner(log: string[][]): CommandRunner {
  const made = new Set<string>();
  return async (argv) => {
    log.push(argv);
    if (argv[0] === 'wireguard-go') made.add(argv[1]!);
    const missing = argv[0] === 'ip' && argv[1] === 'link' && argv[2] === 'show' && !made.has(argv.at(-1)!);
    return { exitCode: missing ? 1 : 0, stdout: '', stderr: '' };
  };
}

function fakeCall(sent: HubMessage[]): SessionCall {
  return { getPeer: () => 'test', write: (m: HubMessage) => sent.push(m), end: () => {} } as unknown as SessionCall;
}

function enrollRow(db: DatabaseSync, node: string): Record<string, string> {
  const n = t.nodes.find((x) => x.hostname === node)!;
  db.prepare(
    'INSERT INTO enrollments (node, identity_public_key, enrolled_at, window_id, generation, facts) VALUES (?, ?, 0, ?, 1, ?)',
  ).run(node, generateSigningKeyPair().publicKey, 'w', '{}');
  const keys: Record<string, string> = {};
  for (const a of intendedPlaneAddresses(t, n)) {
    const kp = generateWireguardKeyPair();
    keys[a.plane] = toBase64(kp.publicKey);
    db.prepare('INSERT INTO plane_keys (node, plane, public_key) VALUES (?, ?, ?)').run(node, a.plane, kp.publicKey);
    db.prepare('INSERT OR IGNORE INTO allocations (plane, address, node, allocated_at) VALUES (?, ?, ?, 0)').run(
      a.plane,
      a.address,
      node,
    );
  }
  return keys;
}

describe('hub plane sync', () => {
  let dir: string;
  let db: DatabaseSync;
  let commands: string[][];
  let sync: PlaneSync;
  let planes: HubPlanes;
  const registry = new SessionRegistry();
  const sent = new Map<string, HubMessage[]>();
  const connect = (node: string) => {
    sent.set(node, []);
    registry.attach(node, fakeCall(sent.get(node)!), Date.now());
  };
  const lastUpdate = (node: string): ConfigUpdate | undefined =>
    sent
      .get(node)!
      .filter((m) => m.config)
      .at(-1)?.config ?? undefined;
  const settle = () => sync.reconcile();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-sync-'));
    db = openHubDb(path.join(dir, 'hub.db'), CORE_MIGRATIONS);
    importInventory(db, t, {
      deployment: t.name,
      nodes: t.nodes.map((n) => ({
        node: n.hostname,
        credentialPublicKey: toBase64(generateSigningKeyPair().publicKey),
      })),
    });
    commands = [];
    planes = new HubPlanes({
      topology: t,
      stateDir: path.join(dir, 'hub'),
      root: path.join(dir, 'root'),
      mode: 'wireguard-go',
      run: recordingRunner(commands),
    });
    sync = new PlaneSync({ db, topology: t, registry, planes, log: createLogger('test', 'error') });
    await sync.start();
  });
  afterEach(() => {
    sync.stop();
    for (const s of registry.all()) registry.drop(s.node, new grpc.Metadata());
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts the hub planes and adds an enrolled node as a peer on every plane when its session opens', async () => {
    assert.ok(commands.some((c) => c.join(' ') === 'wireguard-go wg1'));
    const keys = enrollRow(db, 'w-1');
    connect('w-1');
    await settle();
    assert.equal(planes.peers['w-1']!.wg3!.publicKey, keys.wg3);
    assert.equal(planes.peers['w-1']!.wg1!.allowedIp, '10.78.0.41/32');
    assert.ok(
      commands.some((c) =>
        c.join(' ').startsWith(`wg set wg2 peer ${keys.wg2} allowed-ips 10.79.0.41/32 endpoint 10.10.0.41:51822`),
      ),
    );
    const conf = fs.readFileSync(path.join(dir, 'root/etc/wireguard/wg3.conf'), 'utf8');
    assert.ok(conf.includes(`PublicKey = ${keys.wg3}`));
    const u = lastUpdate('w-1')!;
    assert.equal(u.sessionEndpoint, '10.78.0.1:7443');
    assert.deepEqual(
      u.planes!.find((p) => p.plane === 'wg3')!.peers!.map((p) => p.node),
      ['master'],
    );
  });

  it('pushes the wg3 mesh to Kubernetes nodes when one joins, only when their lists change', async () => {
    enrollRow(db, 'w-1');
    enrollRow(db, 'grafana');
    connect('w-1');
    connect('grafana');
    await settle();
    const grafanaUpdates = sent.get('grafana')!.length;
    const w2 = enrollRow(db, 'w-2');
    connect('w-2');
    await settle();
    const mesh = lastUpdate('w-1')!.planes!.find((p) => p.plane === 'wg3')!.peers!;
    assert.deepEqual(mesh.map((p) => p.node).sort(), ['master', 'w-2']);
    assert.equal(Buffer.from(mesh.find((p) => p.node === 'w-2')!.publicKey as Uint8Array).toString('base64'), w2.wg3);
    assert.equal(sent.get('grafana')!.length, grafanaUpdates, 'grafana is not on the mesh: nothing new to send');
    const revisions = sent.get('w-1')!.map((m) => Number(m.config!.revision));
    assert.ok(
      revisions.every((r, i) => i === 0 || r > revisions[i - 1]!),
      'revisions increase',
    );
  });

  it('a replaced node loses its peers at once and the mesh is told; persisted peers survive a new hub', async () => {
    enrollRow(db, 'w-1');
    const old = enrollRow(db, 'w-2');
    connect('w-1');
    connect('w-2');
    await settle();
    // What revokeNode does in the database, then the admin service's onReplaced.
    db.prepare('DELETE FROM enrollments WHERE node = ?').run('w-2');
    db.prepare('DELETE FROM plane_keys WHERE node = ?').run('w-2');
    registry.drop('w-2', new grpc.Metadata());
    await settle();
    assert.equal(planes.peers['w-2'], undefined);
    for (const p of ['wg1', 'wg2', 'wg3'])
      assert.ok(commands.some((c) => c.join(' ') === `wg set ${p} peer ${old[p]} remove`));
    assert.deepEqual(
      lastUpdate('w-1')!
        .planes!.find((p) => p.plane === 'wg3')!
        .peers!.map((p) => p.node),
      ['master'],
    );
    const again = new HubPlanes({
      topology: t,
      stateDir: path.join(dir, 'hub'),
      root: path.join(dir, 'root'),
      run: recordingRunner([]),
    });
    assert.deepEqual(Object.keys(again.peers), ['w-1']);
  });
});
