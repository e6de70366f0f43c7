import assert from 'node:assert/strict';
import type { ServiceState__Output } from '../../proto/gen/kubedos/v1/ServiceState.ts';
import type { Host, UnitStatus } from '../../minion/tasks/host.ts';
import { serviceState } from '../../minion/tasks/service-state.ts';
import type { StateContext } from '../../minion/tasks/state-context.ts';
import { tempDir } from '../support/hub-fixture.ts';

/** A host whose one unit is in the given state; it records the systemctl actions asked of it. */
function hostWith(status: UnitStatus) {
  const actions: string[] = [];
  const host = {
    unitStatus: async () => status,
    unitAction: async (_unit: string, action: string) => {
      actions.push(action);
      return { exitCode: 0, output: '', timedOut: false };
    },
  } as unknown as Host;
  return { host, actions };
}

function ctx(host: Host): StateContext {
  return {
    host,
    root: tempDir('service-state'),
    dryRun: false,
    recordCommands: false,
    signal: new AbortController().signal,
    tail: { append: () => undefined } as unknown as StateContext['tail'],
    secrets: new Set(),
    log: () => undefined,
  };
}

const etcd = { unit: 'etcd', enabled: true, running: true, masked: false, restartOnChange: [] } as ServiceState__Output;

describe('service state: a unit systemd is still starting at boot is not a change', function () {
  it('waits for the start systemd began, and reports unchanged', async function () {
    const { host, actions } = hostWith({ enabled: true, active: false, masked: false, starting: true });
    const out = await serviceState(etcd, ctx(host));
    assert.equal(out.changed, false, out.summary);
    assert.deepEqual(actions, ['start']);
  });

  it('still starts (a change) a unit that is enabled but stopped, and enables one that is not', async function () {
    const stopped = hostWith({ enabled: true, active: false, masked: false });
    assert.equal((await serviceState(etcd, ctx(stopped.host))).changed, true);
    assert.deepEqual(stopped.actions, ['start']);
    const disabled = hostWith({ enabled: false, active: false, masked: false, starting: true });
    assert.equal((await serviceState(etcd, ctx(disabled.host))).changed, true);
    assert.deepEqual(disabled.actions, ['enable', 'start']);
  });
});
