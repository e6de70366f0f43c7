import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openConvergeDb } from '../../hub/converge/open-db.ts';
import { SecretStore } from '../../hub/converge/secrets.ts';
import { buildPlan } from '../../hub/plan/build-plan.ts';
import { ensurePlanMaterial } from '../../hub/plan/material.ts';
import { JOIN_TOKEN_MAX_AGE_MS } from '../../hub/plan/roles/control-plane.ts';
import { command } from '../../shared/tasks/builders.ts';
import { secretIdRef, secretRef } from '../../shared/tasks/redact.ts';
import { loadTopology } from '../../shared/topology/load.ts';

/**
 * The kubeadm join token: the hub makes it again once it is 12 hours old,
 * and the anchor puts the current one in the cluster before any join.
 * kubeadm itself is not in Debian: the commands are checked as planned.
 */
describe('join token rotation', function () {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-token-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes the token, keeps it while young, and makes a new one once older than the maximum age', () => {
    const db = openConvergeDb(path.join(dir, 'state.db'));
    try {
      const store = new SecretStore(db);
      const action = {
        kind: 'generate-secret' as const,
        secret: 'join-token',
        format: 'bootstrap-token' as const,
        maxAgeMs: JOIN_TOKEN_MAX_AGE_MS,
      };
      const t0 = 1_800_000_000_000;
      assert.equal(store.generate(action, 'test', t0), 'made');
      const first = store.get('join-token')!;
      assert.match(first, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      assert.equal(store.generate(action, 'test', t0 + JOIN_TOKEN_MAX_AGE_MS - 1), undefined);
      assert.equal(store.get('join-token'), first);
      assert.equal(store.generate(action, 'test', t0 + JOIN_TOKEN_MAX_AGE_MS + 1), 'rotated');
      const second = store.get('join-token')!;
      assert.notEqual(second, first);
      assert.equal(store.createdAt('join-token'), t0 + JOIN_TOKEN_MAX_AGE_MS + 1);
      // A secret without a maximum age is never made again.
      const key = { kind: 'generate-secret' as const, secret: 'certificate-key', format: 'hex32' as const };
      assert.equal(store.generate(key, 'test', t0), 'made');
      assert.equal(store.generate(key, 'test', t0 + 100 * JOIN_TOKEN_MAX_AGE_MS), undefined);

      // Placeholders are filled at send time, in argv and in guards; |id is the token's public half.
      const [filled] = store.substitute([
        command('c', ['kubeadm', 'token', 'create', secretRef('join-token')], {
          unless: ['kubectl', 'get', 'secret', `bootstrap-token-${secretIdRef('join-token')}`],
          secrets: ['join-token'],
        }),
      ]);
      assert.deepEqual(filled!.command!.argv, ['kubeadm', 'token', 'create', second]);
      assert.deepEqual(filled!.command!.unless!.at(-1), `bootstrap-token-${second.split('.')[0]}`);
    } finally {
      db.close();
    }
  });

  it('has the anchor create the current token in the cluster before any node joins, the secret never in the plan', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(path.join(dir, 'hub'), t));
    const token = plan.tasks.find((x) => x.id === 'cp-1/join-token')!;
    assert.ok(token.deps.includes('cp-1/api-ready') && token.deps.includes('hub/join-token'));
    const create = token.states[0]!.command!;
    assert.deepEqual(create.argv!.slice(0, 4), ['kubeadm', 'token', 'create', secretRef('join-token')]);
    assert.ok(create.argv!.includes('24h0m0s'));
    assert.equal(create.unless!.at(-1), `bootstrap-token-${secretIdRef('join-token')}`);
    assert.equal(create.secretOutput, true);
    for (const join of plan.tasks.filter((x) => x.name === 'kubeadm-join'))
      assert.ok(join.deps.includes('cp-1/join-token'), join.id);
    assert.equal(plan.tasks.find((x) => x.id === 'hub/join-token')!.hubAction!.maxAgeMs, JOIN_TOKEN_MAX_AGE_MS);
  });
});
