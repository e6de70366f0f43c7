import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saveEnrollment } from '../../minion/enrollment-store.ts';
import { loadOrCreateNodeKeys } from '../../minion/node-keys.ts';
import { MinionPlanes } from '../../minion/planes/minion-planes.ts';
import { SessionEndpoints } from '../../minion/planes/session-endpoints.ts';
import { generateWireguardKeyPair, toBase64 } from '../../shared/keys/wireguard.ts';
import type { Logger } from '../../shared/log.ts';
import type { CommandRunner } from '../../shared/planes/command-runner.ts';

const NOW = 1_800_000_000_000;
const hubKey = toBase64(generateWireguardKeyPair().publicKey);

describe('minion session endpoints (management plane rule)', () => {
  let dir: string;
  let handshake: number;
  let commands: string[][];
  let logged: string[];
  let endpoints: SessionEndpoints;
  let planes: MinionPlanes;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-route-'));
    const stateDir = path.join(dir, 'state');
    loadOrCreateNodeKeys(stateDir);
    saveEnrollment(stateDir, {
      deployment: 'd',
      node: 'w-1',
      role: 'worker',
      generation: 1,
      enrolledAtMs: 0,
      heartbeatIntervalMs: 5000,
      planes: [
        {
          plane: 'wg1',
          purpose: 'management',
          address: '10.78.0.41/32',
          network: '10.78.0.0/24',
          listenPort: 51821,
          hubAddress: '10.78.0.1',
          hubPublicKey: hubKey,
          hubEndpoint: '10.10.0.10:51821',
        },
      ],
    });
    handshake = 0;
    commands = [];
    logged = [];
    const run: CommandRunner = async (argv) => {
      commands.push(argv);
      if (argv.join(' ') === 'wg show wg1 dump') {
        return {
          exitCode: 0,
          stdout: `priv\tpub\t51821\toff\n${hubKey}\t(none)\t10.10.0.10:51821\t10.78.0.1/32\t${handshake}\t1\t1\t25\n`,
          stderr: '',
        };
      }
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const log = { error: (m: string) => logged.push(m), info: (m: string) => logged.push(m) } as unknown as Logger;
    planes = new MinionPlanes({ root: path.join(dir, 'root'), stateDir, mode: 'wireguard-go', run });
    endpoints = new SessionEndpoints({ lanEndpoint: '10.10.0.10:7443', stateDir, planes, log, run, now: () => NOW });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("takes wg1 from the enrollment grant (the hub's wg1 address, the LAN listener's port), then as the hub names it", async () => {
    assert.deepEqual(await endpoints.choose(), { endpoint: '10.78.0.1:7443', via: 'wg1' });
    await planes.applyPeerUpdate({ revision: 1, sessionEndpoint: '10.78.0.1:7443', planes: [] });
    handshake = NOW / 1000 - 10;
    assert.deepEqual(await endpoints.choose(), { endpoint: '10.78.0.1:7443', via: 'wg1' });
  });

  it('uses the LAN before the node has enrolled', async () => {
    fs.rmSync(path.join(dir, 'state', 'enrollment.json'));
    assert.deepEqual(await endpoints.choose(), { endpoint: '10.10.0.10:7443', via: 'lan' });
  });

  it('falls back to the LAN after repeated failures with a stale handshake, re-applies wg1, and returns when it is fresh', async () => {
    await planes.applyPeerUpdate({ revision: 1, sessionEndpoint: '10.78.0.1:7443', planes: [] });
    handshake = NOW / 1000 - 600;
    let route = await endpoints.choose();
    for (let i = 0; i < 3; i++) {
      assert.equal(route.via, 'wg1', `attempt ${i + 1} still over wg1`);
      endpoints.sessionEnded(route, false);
      route = await endpoints.choose();
    }
    assert.equal(route.via, 'lan');
    assert.ok(logged.some((l) => /wg1 to the hub is down \(last handshake 600s ago, 3 failed sessions\)/.test(l)));
    assert.ok(
      commands.some((c) => c.join(' ') === 'ip link set dev wg1 up'),
      'wg1 re-applied',
    );
    assert.ok(fs.existsSync(path.join(dir, 'root/etc/wireguard/wg1.conf')));
    endpoints.sessionEnded(route, true);
    assert.equal((await endpoints.choose()).via, 'lan', 'stays on the LAN while wg1 is stale');
    assert.equal(await endpoints.fallbackOver(), false);
    handshake = NOW / 1000 - 5;
    assert.equal(await endpoints.fallbackOver(), true);
    assert.equal((await endpoints.choose()).via, 'wg1');
  });
});
