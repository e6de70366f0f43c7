import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { openConvergeDb } from '../../hub/converge/open-db.ts';
import { SecretStore } from '../../hub/converge/secrets.ts';
import { buildPlan } from '../../hub/plan/build-plan.ts';
import { ensurePlanMaterial } from '../../hub/plan/material.ts';
import { CLUSTER_CA_KEY_SECRET } from '../../hub/plan/roles/control-plane.ts';
import type { State } from '../../proto/gen/kubedos/v1/State.ts';
import { command, file } from '../../shared/tasks/builders.ts';
import { secretIdRef, secretNamesIn, secretRef } from '../../shared/tasks/redact.ts';
import { loadTopology } from '../../shared/topology/load.ts';

/** Every text of a state a secret could be filled into: file content, argv and guards. */
function textsOf(s: State): string[] {
  return [
    s.file?.content ? Buffer.from(s.file.content as Uint8Array).toString() : '',
    ...(s.command?.argv ?? []),
    ...(s.command?.unless ?? []),
    ...(s.command?.onlyif ?? []),
  ];
}

/**
 * A state's secrets are a typed field the hub's plan sets (State.secret_refs),
 * never found by scanning text: a `${secret:…}` that reached a rendered file
 * through a node's input stays text, and the secret it names is not sent.
 */
describe('secret references: the hub fills in only the secrets a state names', function () {
  let dir: string;
  let db: DatabaseSync;
  let store: SecretStore;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-secret-refs-'));
    db = openConvergeDb(path.join(dir, 'state.db'));
    store = new SecretStore(db);
    store.store({ 'join-token': 'abcdef.0123456789abcdef', [CLUSTER_CA_KEY_SECRET]: 'THE-CA-PRIVATE-KEY' }, 'test');
  });
  after(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fills a named secret at its exact references, leaves any other as text, and clears the field', () => {
    const text = `token: ${secretRef('join-token')}\nid: ${secretIdRef('join-token')}\nkey: ${secretRef(CLUSTER_CA_KEY_SECRET)}\n`;
    const [named, unnamed, cmd] = store.substitute([
      file('named', '/etc/x', text, { secrets: ['join-token'] }),
      file('unnamed', '/etc/y', text),
      command('c', ['kubeadm', 'token', 'create', secretRef('join-token'), secretRef(CLUSTER_CA_KEY_SECRET)], {
        unless: ['test', secretIdRef('join-token')],
        secrets: ['join-token'],
      }),
    ]);
    assert.equal(
      Buffer.from(named!.file!.content as Uint8Array).toString(),
      `token: abcdef.0123456789abcdef\nid: abcdef\nkey: ${secretRef(CLUSTER_CA_KEY_SECRET)}\n`,
    );
    assert.equal(named!.secretRefs, undefined, 'the node is not told the names');
    assert.equal(Buffer.from(unnamed!.file!.content as Uint8Array).toString(), text);
    assert.deepEqual(cmd!.command!.argv, [
      'kubeadm',
      'token',
      'create',
      'abcdef.0123456789abcdef',
      secretRef(CLUSTER_CA_KEY_SECRET),
    ]);
    assert.deepEqual(cmd!.command!.unless, ['test', 'abcdef']);
  });

  it('sends a load balancer no secret even if its interface name were a secret reference (validation bypassed)', async () => {
    const t = loadTopology();
    const material = await ensurePlanMaterial(path.join(dir, 'hub'), t);
    // What a compromised lb-1 would report, as if the hub's check of interface names had let it through.
    const forged = secretRef(CLUSTER_CA_KEY_SECRET);
    const plan = buildPlan(t, material, { lanInterfaces: { 'lb-1': forged } });
    const lbStates = plan.tasks.filter((x) => x.node === 'lb-1').flatMap((x) => x.states);
    const carrying = lbStates.filter((s) => textsOf(s).some((x) => x.includes(forged)));
    assert.ok(carrying.length > 0, 'the forged name reached a rendered file (keepalived.conf, the firewall)');
    const sent = store.substitute(lbStates).flatMap(textsOf).join('\n');
    assert.ok(sent.includes(forged), 'it stays text');
    assert.ok(!sent.includes('THE-CA-PRIVATE-KEY'), 'the CA key is not sent to lb-1');
  });

  it('has every state of the 16-node plan name exactly the secrets its text refers to', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(path.join(dir, 'hub'), t));
    let named = 0;
    for (const task of plan.tasks)
      for (const s of task.states) {
        const referred = [...new Set(textsOf(s).flatMap(secretNamesIn))].sort();
        assert.deepEqual([...(s.secretRefs ?? [])].sort(), referred, `${task.id} ${s.id}`);
        named += referred.length;
      }
    assert.ok(named >= 5, `the plan refers to the hub's secrets (${named} references)`);
    // Only control planes and workers are sent any: kubeadm's configs, the CA key, the encryption key.
    const nodes = new Set(plan.tasks.filter((x) => x.states.some((s) => s.secretRefs?.length)).map((x) => x.node));
    assert.deepEqual([...nodes].sort(), ['cp-1', 'cp-2', 'cp-3', 'w-1', 'w-2', 'w-3']);
  });
});
