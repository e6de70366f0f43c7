/**
 * `kubedos up --substrate netns` on the 16-node topology: real hub in the
 * master's namespace, a real minion in every namespace, real enrollment;
 * with planes wired into hub and minion, real planes and a real `hubctl
 * replace`; then `down` leaves no namespace, interface or process behind.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { AdminConnection } from '../../hub/cli/admin-client.ts';
import { pingFrom, wgStatus } from '../../deploy/substrates/netns/plane-probes.ts';
import { netnsDown, netnsUp, type NetnsDeployment } from '../../deploy/substrates/netns/substrate.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../../shared/topology/load.ts';
import { requireSystem } from '../support/requirements.ts';
import { renewNodeCredential } from '../../iso-builder/deployment-secrets.ts';
import { until } from '../support/until.ts';

const TAG = 'kdws';

async function leftovers(): Promise<string[]> {
  const ns = (await execa('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(`${TAG}-`));
  const links = (await execa('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .filter((l) => new RegExp(`^\\d+: ${TAG}`).test(l));
  return [...ns, ...links];
}

describe('netns substrate', function () {
  this.timeout(300_000);
  let dir: string;
  let runRoot: string;
  let d: NetnsDeployment;
  const t = loadTopology();
  const up = () =>
    netnsUp({
      topology: t,
      topologyFile: DEFAULT_TOPOLOGY,
      runRoot,
      timeoutMs: 240_000,
      windowTtlMs: 600_000,
      signal: new AbortController().signal,
      quiet: true,
      tag: TAG,
    });

  before(async function () {
    requireSystem(this, { root: true, commands: ['ip', 'wg', 'wireguard-go', 'nft', 'ping'], files: ['/dev/net/tun'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-substrate-'));
    runRoot = path.join(dir, 'run');
    d = await up();
  });
  after(async () => {
    if (!dir) return;
    await netnsDown(runRoot);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every node runs in its own namespace with its LAN address, enrolled and connected', async () => {
    assert.equal(d.status!.summary!.connected, t.nodes.length);
    const addr = await d.runOn('w-1')(['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addr.stdout, /inet 10\.10\.0\.41\/24/);
    assert.equal(await pingFrom(d.runOn('w-1'), '10.10.0.10'), true);
    assert.equal(d.lab.processes.length, t.nodes.length + 1, 'hub + one minion per node');
  });

  it('real planes and firewalls; hubctl replace swaps a node’s keys across the mesh', async function () {
    assert.notEqual(d.planesReadyMs, undefined, 'the hub and minion take --planes, so the planes must be up');
    const wg3Key = async (node: string, of: string) => {
      const hubView = (await wgStatus(d.runOn('master'), 'wg3'))!.peers;
      const ip = t.nodes.find((n) => n.hostname === of)!.ip;
      const key = hubView.find((p) => p.endpoint === `${ip}:51823`)?.publicKey;
      return key && (await wgStatus(d.runOn(node), 'wg3'))!.peers.find((p) => p.publicKey === key);
    };
    const before = await wg3Key('w-1', 'w-2');
    assert.ok(before && before.latestHandshake > 0, 'w-1 has a live wg3 session with w-2');
    // The hub pushed w-1 its role's firewall with the peers, and the minion applied it in its namespace.
    const ruleset = await until('w-1 to apply its firewall', async () => {
      const r = await d.runOn('w-1')(['nft', 'list', 'table', 'inet', 'kubedos'], { reject: false });
      return r.exitCode === 0 ? r.stdout : undefined;
    });
    assert.match(ruleset, /policy drop/);
    assert.match(ruleset, /iifname "wg1" tcp dport 22 accept/);
    // Once wg1 is up, the session runs over the management plane: the hub sees it from w-1's wg1 address.
    await until('w-1 to hold its session over wg1', async () => {
      const admin = new AdminConnection(d.run.hubDir);
      try {
        const st = await admin.call<object, StatusResponse__Output>((a) => a.Status, {});
        return st.nodes.find((n) => n.name === 'w-1')?.peer.startsWith('10.78.0.41:') ? true : undefined;
      } finally {
        admin.close();
      }
    });
    const admin = new AdminConnection(d.run.hubDir);
    try {
      // A rebuilt w-2 in place: a new credential in its seed (the old one was spent), the hub told its public half.
      const key = await renewNodeCredential(d.run.secrets, loadTopology(d.run.topologyCopy), 'w-2');
      fs.copyFileSync(
        path.join(d.run.secrets, 'nodes', 'w-2.identity.json'),
        path.join(d.run.nodeDir('w-2'), 'identity.json'),
      );
      await admin.call((a) => a.ReplaceNode, { node: 'w-2', credentialPublicKey: Buffer.from(key, 'base64') });
      await admin.call((a) => a.OpenWindow, { ttlSeconds: 300, role: '', nodes: ['w-2'] });
    } finally {
      admin.close();
    }
    const after = await until(
      'w-1 to learn the new w-2 key',
      async () => {
        const p = await wg3Key('w-1', 'w-2');
        return p && p.publicKey !== before.publicKey ? p : undefined;
      },
      60_000,
    );
    assert.ok(!(await wgStatus(d.runOn('w-1'), 'wg3'))!.peers.some((p) => p.publicKey === before.publicKey));
    // w-1 learns the key when w-2 enrolls; w-2 brings its own planes up with it just after: wait for both ends.
    const reaches = (node: string, address: string) =>
      until(
        `${node} to reach ${address}`,
        async () => ((await pingFrom(d.runOn(node), address, { deadlineSeconds: 2 })) ? true : undefined),
        60_000,
      );
    await reaches('w-1', '10.80.0.42');
    const live = (await wgStatus(d.runOn('w-1'), 'wg3'))!.peers.find((p) => p.publicKey === after.publicKey)!;
    assert.ok(live.latestHandshake > 0, 'handshake with the new key');
    await reaches('w-2', '10.78.0.1');
  });

  it('down removes every namespace, interface and process it created, and nothing else', async () => {
    const pids = d.lab.processes.map((p) => p.pid);
    assert.ok((await leftovers()).length > 0);
    assert.equal(await netnsDown(runRoot), t.nodes.length);
    assert.deepEqual(await leftovers(), []);
    for (const pid of pids)
      assert.ok(!fs.existsSync(`/proc/${pid}`) || !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runRoot));
    assert.equal(await netnsDown(runRoot), 0, 'a second down finds nothing');
  });

  it('comes up again in the same run dir after down (the earlier hub\'s "ready" in the log is not this one\'s)', async () => {
    const again = await up();
    assert.equal(again.status!.summary!.connected, t.nodes.length);
    assert.equal(await netnsDown(runRoot), t.nodes.length);
  });
});
