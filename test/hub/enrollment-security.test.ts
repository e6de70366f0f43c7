import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { AgentClient } from '../../proto/gen/kubedos/v1/Agent.ts';
import type { HubMessage__Output } from '../../proto/gen/kubedos/v1/HubMessage.ts';
import { signCall } from '../../shared/auth/call-signature.ts';
import { generateSigningKeyPair, signingKeyPairFromSeed } from '../../shared/keys/ed25519.ts';
import { contract, encodeEnrollPayload, decodeEnrollPayload } from '../../shared/proto/contract.ts';
import { hubChannel } from '../../shared/proto/hub-channel.ts';
import { makeNodeKeys, rejectionCode, startHub, type HubFixture } from '../support/hub-fixture.ts';
import { NOT_A_CREDENTIAL } from '../../hub/enrollment/enroll-error.ts';
import { AuditLog } from '../../hub/admin/audit-log.ts';
import { isReplacementProof, REPLACEMENT_PROOF_KEY } from '../../shared/auth/replacement-proof.ts';
import { REFUSAL_KEY, REFUSAL_NOT_ENROLLED, REFUSAL_UNKNOWN_KEY } from '../../shared/proto/contract-version.ts';

const SESSION = '/kubedos.v1.Agent/Session';

/** Opens a session with the given metadata; resolves with the first message, or the refusal. */
function openSession(
  client: AgentClient,
  headers: Record<string, string>,
): Promise<{ welcome?: HubMessage__Output; code?: grpc.status; details?: string; metadata?: grpc.Metadata }> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) md.set(k, v);
  return new Promise((resolve) => {
    const call = client.Session(md);
    call.on('data', (m: HubMessage__Output) => {
      resolve({ welcome: m });
      call.cancel();
    });
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details, metadata: e.metadata }));
  });
}

describe('enrollment security', function () {
  let f: HubFixture;
  let agent: AgentClient;

  beforeEach(async () => {
    f = await startHub();
    const { credentials, options } = hubChannel(f.secrets.hubCaPem);
    agent = new (contract().Agent)(`127.0.0.1:${f.hub.port}`, credentials, options);
  });
  afterEach(async () => {
    agent.close();
    await f.close();
  });

  it('refuses every enrollment while no window is open', async () => {
    const r = await rejectionCode(f.enroll(f.request('w-1')));
    assert.equal(r.code, grpc.status.FAILED_PRECONDITION);
    assert.match(r.details, /no enrollment window is open for w-1/);
  });

  it('refuses a node outside the window scope, by role and by node list', async () => {
    await f.openWindow({ role: 'etcd' });
    assert.equal((await rejectionCode(f.enroll(f.request('w-1')))).code, grpc.status.FAILED_PRECONDITION);
    await f.enroll(f.request('etcd-1'));
    await f.admin.call((a) => a.CloseWindow, { id: '' });
    await f.openWindow({ nodes: ['cp-1'] });
    assert.equal((await rejectionCode(f.enroll(f.request('cp-2')))).code, grpc.status.FAILED_PRECONDITION);
    await f.enroll(f.request('cp-1'));
  });

  it('grants the topology addresses and the hub plane keys', async () => {
    await f.openWindow();
    const grant = await f.enroll(f.request('w-2'));
    assert.deepEqual(
      grant.planes.map((p) => [p.plane, p.address, p.hubAddress, p.hubEndpoint]),
      [
        ['wg1', '10.78.0.42/32', '10.78.0.1', '10.10.0.10:51821'],
        ['wg2', '10.79.0.42/32', '10.79.0.1', '10.10.0.10:51822'],
        ['wg3', '10.80.0.42/32', '10.80.0.1', '10.10.0.10:51823'],
      ],
    );
    assert.equal(grant.planes[0]!.hubPublicKey.length, 32);
    assert.equal(grant.role, 'worker');
  });

  it('refuses a replayed request even when the node would otherwise be admitted', async () => {
    await f.openWindow();
    const keys = makeNodeKeys();
    const request = f.request('w-1', keys);
    await f.enroll(request);
    const r = await rejectionCode(f.enroll(request));
    assert.equal(r.code, grpc.status.UNAUTHENTICATED);
    assert.match(r.details, /replayed/);
  });

  it('refuses a tampered request (payload changed after signing)', async () => {
    await f.openWindow();
    const request = f.request('w-1');
    const payload = decodeEnrollPayload(request.payload as Buffer);
    const forged = Buffer.from(encodeEnrollPayload({ ...payload, node: 'w-1', smbiosSerial: 'forged' }));
    const r = await rejectionCode(f.enroll({ ...request, payload: forged }));
    assert.equal(r.code, grpc.status.UNAUTHENTICATED);
  });

  it('refuses an unknown identity (a node not in the inventory)', async () => {
    await f.openWindow();
    const stranger = {
      deployment: f.topology.name,
      node: 'intruder',
      credentialSeed: Buffer.from(generateSigningKeyPair().seed).toString('base64'),
    };
    const r = await rejectionCode(f.enroll(f.request('w-1', makeNodeKeys(), { identity: stranger })));
    assert.equal(r.code, grpc.status.UNAUTHENTICATED);
    assert.equal(r.details, NOT_A_CREDENTIAL);
  });

  it("refuses a stolen credential: w-1's ISO credential cannot enroll w-2", async () => {
    await f.openWindow();
    const stolen = { ...f.identity('w-1'), node: 'w-2' };
    const r = await rejectionCode(f.enroll(f.request('w-2', makeNodeKeys(), { identity: stolen })));
    assert.equal(r.code, grpc.status.UNAUTHENTICATED);
    assert.equal(r.details, NOT_A_CREDENTIAL);
  });

  it('answers an unknown node, another deployment and a wrong credential alike, naming no deployment', async () => {
    await f.openWindow();
    const seed = () => Buffer.from(generateSigningKeyPair().seed).toString('base64');
    const answers = [
      { deployment: f.topology.name, node: 'intruder', credentialSeed: seed() },
      { deployment: 'elsewhere', node: 'w-1', credentialSeed: f.identity('w-1').credentialSeed },
      { deployment: f.topology.name, node: 'w-1', credentialSeed: seed() },
    ];
    for (const identity of answers) {
      const r = await rejectionCode(f.enroll(f.request('w-1', makeNodeKeys(), { identity })));
      assert.deepEqual([r.code, r.details], [grpc.status.UNAUTHENTICATED, NOT_A_CREDENTIAL], identity.node);
      assert.ok(!r.details.includes(f.topology.name), 'the deployment is not named');
    }
    // The operator learns which it was, from the hub's log.
    const refusals = f.log.lines.filter((l) => /enrollment refused/.test(l)).join('\n');
    assert.match(refusals, /unknown node \\?"intruder/);
    assert.match(refusals, /deployment \\?"elsewhere/);
    assert.match(refusals, /credential rejected for w-1/);
  });

  it('refuses a request signed long ago (expired proof)', async () => {
    await f.openWindow();
    const r = await rejectionCode(f.enroll(f.request('w-1', makeNodeKeys(), { now: Date.now() - 10 * 60_000 })));
    assert.equal(r.code, grpc.status.UNAUTHENTICATED);
    assert.match(r.details, /expired/);
  });

  it('binds a node to its SMBIOS UUID when the inventory has one', async () => {
    const uuid = '8b8f2d3e-1c1a-4f7e-9a55-0c3f0f2b9d11';
    f.hub.db.prepare('UPDATE inventory SET smbios_uuid = ? WHERE node = ?').run(uuid, 'w-3');
    await f.openWindow();
    assert.equal(
      (await rejectionCode(f.enroll(f.request('w-3', makeNodeKeys(), { smbiosUuid: 'other' })))).code,
      grpc.status.PERMISSION_DENIED,
    );
    await f.enroll(f.request('w-3', makeNodeKeys(), { smbiosUuid: uuid.toUpperCase() }));
  });

  it('never lets an enrolled identity be taken over; replace revokes the old keys', async () => {
    await f.openWindow({ ttlSeconds: 600 });
    const original = makeNodeKeys();
    await f.enroll(f.request('w-1', original));
    const usurper = makeNodeKeys();
    const taken = await rejectionCode(f.enroll(f.request('w-1', usurper)));
    assert.equal(taken.code, grpc.status.ALREADY_EXISTS);
    // the same node re-asking with its own key (it lost the answer in a crash) gets the same grant
    const again = await f.enroll(f.request('w-1', original));
    assert.equal(again.planes[0]!.address, '10.78.0.41/32');

    // The rebuilt node's new credential: the deployer makes it, the hub is given its public half.
    const credentialSeed = generateSigningKeyPair().seed;
    const newCredential = signingKeyPairFromSeed(credentialSeed).publicKey;
    const replaced = await f.admin.call<object, { revokedKeys: string[]; generation: number; newCredential: boolean }>(
      (a) => a.ReplaceNode,
      { node: 'w-1', credentialPublicKey: Buffer.from(newCredential) },
    );
    assert.equal(replaced.revokedKeys.length, 4);
    assert.equal(replaced.generation, 2);
    assert.equal(replaced.newCredential, true);
    // the old identity can no longer open a session
    const old = await openSession(agent, signCall(original.identity.seed, SESSION, 'w-1'));
    assert.equal(old.code, grpc.status.UNAUTHENTICATED);
    // It is told so with the proof its minion discards those keys on: for w-1 and exactly that key, by the pinned CA.
    const proof = old.metadata?.get(REPLACEMENT_PROOF_KEY)[0] as string | undefined;
    assert.equal(old.metadata?.get(REFUSAL_KEY)[0], REFUSAL_NOT_ENROLLED);
    const name = f.topology.name;
    assert.ok(isReplacementProof(f.secrets.hubCaPem, name, 'w-1', original.identity.publicKey, proof));
    assert.ok(!isReplacementProof(f.secrets.hubCaPem, name, 'w-2', original.identity.publicKey, proof));
    assert.ok(!isReplacementProof(f.secrets.hubCaPem, name, 'w-1', usurper.identity.publicKey, proof));
    // A key the hub never knew proves nothing: the typed "unknown key", no proof.
    const stranger = await openSession(agent, signCall(generateSigningKeyPair().seed, SESSION, 'w-3'));
    assert.equal(stranger.metadata?.get(REFUSAL_KEY)[0], REFUSAL_UNKNOWN_KEY);
    assert.deepEqual(stranger.metadata?.get(REPLACEMENT_PROOF_KEY), []);
    const rebuilt = {
      ...f.identity('w-1'),
      credentialSeed: Buffer.from(credentialSeed).toString('base64'),
    };
    // Whoever read the old seed gets nothing from it, window open or not: the node's credential is another now.
    for (const keys of [original, usurper]) {
      const stolenSeed = await rejectionCode(f.enroll(f.request('w-1', keys)));
      assert.equal(stolenSeed.code, grpc.status.UNAUTHENTICATED, stolenSeed.details);
    }
    // revoked keys cannot come back, even with the new credential and a window open
    const reuse = await rejectionCode(f.enroll(f.request('w-1', original, { identity: rebuilt })));
    assert.equal(reuse.code, grpc.status.PERMISSION_DENIED);
    const fresh = await f.enroll(f.request('w-1', makeNodeKeys(), { identity: rebuilt }));
    assert.equal(fresh.generation, 2);
    assert.equal(fresh.planes[0]!.address, '10.78.0.41/32', 'a replaced node keeps its addresses');
  });

  it('spends a credential at its first enrollment: after a replace without a new one, the old seed is refused', async () => {
    await f.openWindow({ ttlSeconds: 600 });
    await f.enroll(f.request('w-2', makeNodeKeys()));
    const replaced = await f.admin.call<object, { newCredential: boolean }>((a) => a.ReplaceNode, { node: 'w-2' });
    assert.equal(replaced.newCredential, false);
    await f.openWindow({ ttlSeconds: 600, nodes: ['w-2'] });
    const again = await rejectionCode(f.enroll(f.request('w-2', makeNodeKeys())));
    assert.equal(again.code, grpc.status.PERMISSION_DENIED);
    assert.match(again.details, /credential of w-2 was spent/);
    // A spent credential cannot be given back to the node either.
    const spent = signingKeyPairFromSeed(Buffer.from(f.identity('w-2').credentialSeed!, 'base64')).publicKey;
    await assert.rejects(
      f.admin.call((a) => a.ReplaceNode, { node: 'w-2', credentialPublicKey: Buffer.from(spent) }),
      /spent already/,
    );
  });

  it("refuses a plane key that is another node's (it would take that node's place on the plane)", async () => {
    await f.openWindow({ ttlSeconds: 600 });
    const w1 = makeNodeKeys();
    await f.enroll(f.request('w-1', w1));
    const thief = makeNodeKeys();
    thief.planes.wg3 = w1.planes.wg3;
    const r = await rejectionCode(f.enroll(f.request('w-2', thief)));
    assert.equal(r.code, grpc.status.PERMISSION_DENIED);
    assert.match(r.details, /plane key .* not this node's own/);
    // One key for two planes of the same node is refused too.
    const twice = makeNodeKeys();
    twice.planes.wg2 = twice.planes.wg1;
    assert.equal((await rejectionCode(f.enroll(f.request('w-3', twice)))).code, grpc.status.PERMISSION_DENIED);
    // w-2 with keys of its own is welcome.
    await f.enroll(f.request('w-2', makeNodeKeys()));
  });

  it('after enrollment, a session without a valid signature is refused and a valid one is welcomed', async () => {
    await f.openWindow();
    const keys = makeNodeKeys();
    await f.enroll(f.request('w-1', keys));
    assert.equal((await openSession(agent, {})).code, grpc.status.UNAUTHENTICATED);
    const wrongKey = await openSession(agent, signCall(generateSigningKeyPair().seed, SESSION, 'w-1'));
    assert.equal(wrongKey.code, grpc.status.UNAUTHENTICATED);
    const otherMethod = await openSession(agent, signCall(keys.identity.seed, '/kubedos.v1.Agent/Other', 'w-1'));
    assert.equal(otherMethod.code, grpc.status.UNAUTHENTICATED);
    const headers = signCall(keys.identity.seed, SESSION, 'w-1');
    const ok = await openSession(agent, headers);
    assert.equal(ok.welcome?.welcome?.node, 'w-1');
    const replay = await openSession(agent, headers);
    assert.equal(replay.code, grpc.status.UNAUTHENTICATED);
    assert.match(replay.details ?? '', /replayed/);
  });

  it('authenticates the admin API: a wrong token is refused', async () => {
    const tokenFile = path.join(f.dir, 'hub', 'admin.token');
    assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(f.dir, 'hub', 'admin.sock')).mode & 0o777, 0o600);
    const client = new (contract().Admin)(
      `unix:${path.join(f.dir, 'hub', 'admin.sock')}`,
      grpc.credentials.createInsecure(),
    );
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer wrong');
    const code = await new Promise<grpc.status>((resolve) =>
      client.Status({}, md, (err) => resolve(err ? err.code : grpc.status.OK)),
    );
    client.close();
    assert.equal(code, grpc.status.UNAUTHENTICATED);
  });

  it('keeps an audit log (0600) of every admin call that changes something, and of every refused one', async () => {
    await f.openWindow({ role: 'lb' });
    await f.admin.call((a) => a.Status, {});
    await rejectionCode(f.admin.call((a) => a.ReplaceNode, { node: 'nobody' }));
    const client = new (contract().Admin)(
      `unix:${path.join(f.dir, 'hub', 'admin.sock')}`,
      grpc.credentials.createInsecure(),
    );
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer wrong');
    await new Promise((resolve) => client.CloseWindow({ id: '' }, md, resolve));
    client.close();
    const file = path.join(f.dir, 'hub', 'audit.log');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const entries = new AuditLog(file).read();
    assert.deepEqual(
      entries.map((e) => [e.call, e.result]),
      [
        ['OpenWindow', 'ok'],
        ['ReplaceNode', 'error: unknown node "nobody"'],
        ['CloseWindow', 'refused: admin token rejected'],
      ],
    );
    assert.equal(entries[0]!.request.role, 'lb');
    assert.ok(
      !fs.readFileSync(file, 'utf8').includes(fs.readFileSync(path.join(f.dir, 'hub', 'admin.token'), 'utf8').trim()),
    );
  });

  it('closes a window once every node in scope enrolled, and on TTL', async () => {
    const w = await f.openWindow({ role: 'lb' });
    assert.deepEqual(w.pendingNodes, ['lb-1', 'lb-2', 'lb-3']);
    for (const n of ['lb-1', 'lb-2', 'lb-3']) await f.enroll(f.request(n));
    const shown = await f.admin.call<object, { windows: Array<{ id: string; closeReason: string }> }>(
      (a) => a.ListWindows,
      { includeClosed: true },
    );
    assert.equal(shown.windows.find((x) => x.id === w.id)?.closeReason, 'complete');
    await f.openWindow({ ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await rejectionCode(f.enroll(f.request('w-1')))).code, grpc.status.FAILED_PRECONDITION);
  });

  it('answers garbage and oversize messages with errors and keeps serving', async () => {
    await f.openWindow();
    const garbage = await rejectionCode(
      f.enroll({
        payload: Buffer.from('\xff\xff\xff not protobuf'),
        credentialSignature: Buffer.alloc(64),
        identitySignature: Buffer.alloc(64),
      }),
    );
    assert.equal(garbage.code, grpc.status.INVALID_ARGUMENT);
    const truncated = f.request('w-1');
    const cut = await rejectionCode(f.enroll({ ...truncated, payload: (truncated.payload as Buffer).subarray(0, 20) }));
    assert.ok([grpc.status.INVALID_ARGUMENT, grpc.status.UNAUTHENTICATED].includes(cut.code));
    const oversize = await rejectionCode(f.enroll({ payload: Buffer.alloc(2 * 1024 * 1024, 1) }));
    assert.equal(oversize.code, grpc.status.RESOURCE_EXHAUSTED);
    const ok = await f.enroll(f.request('w-1'));
    assert.equal(ok.node, 'w-1');
  });

  it('logs nothing secret', async () => {
    await f.openWindow();
    const keys = makeNodeKeys();
    await f.enroll(f.request('w-1', keys));
    await rejectionCode(
      f.enroll(f.request('w-2', makeNodeKeys(), { identity: { ...f.identity('w-1'), node: 'w-2' } })),
    );
    const logged = f.log.lines.join('\n');
    assert.ok(logged.includes('node enrolled'), 'the log is being captured');
    const secrets = [
      f.identity('w-1').credentialSeed!,
      Buffer.from(keys.identity.seed).toString('base64'),
      Buffer.from(keys.planes.wg1.privateKey).toString('base64'),
      fs.readFileSync(path.join(f.dir, 'hub', 'admin.token'), 'utf8').trim(),
    ];
    for (const s of secrets) assert.ok(!logged.includes(s), 'a secret reached the log');
  });
});
