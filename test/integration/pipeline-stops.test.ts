import assert from 'node:assert/strict';
import path from 'node:path';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { runPipeline, type Substrate } from '../../deploy/pipeline/pipeline.ts';
import { adminHubControl } from '../../deploy/pipeline/hub-control.ts';
import { startHub, type HubFixture } from '../support/hub-fixture.ts';

/**
 * A deploy that stops before its nodes enrolled (an installer refused, the
 * timeout, ^C) leaves no enrollment window open behind it: a seed left where
 * its node boots from (a Proxmox storage) then admits nothing until the next
 * deploy opens a window. Against a real hub; the substrate's own work (media,
 * VMs) is not what is tested, so its steps do nothing.
 */
describe('deploy pipeline: no enrollment window outlives a deploy that stopped early', function () {
  let f: HubFixture;
  afterEach(async () => f?.close());

  async function openWindows(): Promise<Window__Output[]> {
    const r = await f.admin.call<object, { windows: Window__Output[] }>((a) => a.ListWindows, { includeClosed: false });
    return r.windows;
  }

  function substrate(failure: () => string | undefined): Substrate<null> {
    return {
      name: 'test',
      place: async () => {},
      stamp: async () => {},
      boot: async () => {},
      hub: async () => adminHubControl(path.join(f.dir, 'hub')),
      enrolled: async () => {},
      failure,
      close: async () => {},
      withdrawSeeds: async () => [],
    };
  }

  const options = (signal: AbortSignal, lines: string[]) => ({
    until: 'converge' as const,
    build: async () => null,
    signal,
    timeoutMs: 60_000,
    windowTtlMs: 600_000,
    quiet: true,
    pollMs: 200,
    say: (l: string) => lines.push(l),
  });

  it('closes the window when a node’s installer refuses', async () => {
    f = await startHub();
    const installer: { refused?: string } = {};
    const lines: string[] = [];
    const run = runPipeline(
      substrate(() => installer.refused),
      options(new AbortController().signal, lines),
    );
    // The window is open while nodes are awaited; then one installer refuses.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await openWindows()).length, 1);
    installer.refused = 'w-1: the installer refused the disk';
    await assert.rejects(run, /installer refused/);
    assert.deepEqual(await openWindows(), []);
    assert.ok(lines.includes('enrollment window closed'), lines.join('\n'));
  });

  it('closes the window when the operator interrupts', async () => {
    f = await startHub();
    const stop = new AbortController();
    const run = runPipeline(
      substrate(() => undefined),
      options(stop.signal, []),
    );
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await openWindows()).length, 1);
    stop.abort();
    await assert.rejects(run);
    assert.deepEqual(await openWindows(), []);
  });
});
