import assert from 'node:assert/strict';
import { waitForHubReady } from '../../hub/ready-file.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { ensureDeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';
import { AdminConnection } from '../../hub/cli/admin-client.ts';
import type { MinionConfigFile } from '../../shared/identity/files.ts';
import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import { DEFAULT_TOPOLOGY, loadTopology } from '../../shared/topology/load.ts';
import { buildOnce, executable, tempDir } from './built-executables.ts';
import { RunningExecutable } from './run-executable.ts';

// Generous: the build shares two cores with other work. Not a speed check.
const CONNECTED_DEADLINE_MS = 90_000;

describe('single executables: smoke', function () {
  this.timeout(15 * 60_000);
  const running: RunningExecutable[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });

  it('the hub binary serves and the minion binary enrolls against it, with no node_modules beside them', async () => {
    const built = await buildOnce();
    // Copied out of the checkout: nothing above this directory has node_modules or sources.
    const dir = tempDir('sea-smoke');
    for (const name of ['kubedos-hub', 'kubedos-minion']) {
      fs.copyFileSync(executable(built, name).path, path.join(dir, name));
      fs.chmodSync(path.join(dir, name), 0o755);
    }
    assert.equal(findUp(dir, 'node_modules'), undefined);

    const topologyFile = path.join(dir, 'topology.yaml');
    fs.copyFileSync(DEFAULT_TOPOLOGY, topologyFile);
    const topology = loadTopology(topologyFile);
    const secrets = await ensureDeploymentSecrets(path.join(dir, 'secrets'), topology);
    const node = topology.nodes.find((n) => n.role === 'worker')!;

    const hubDir = path.join(dir, 'hub');
    const hub = new RunningExecutable(
      path.join(dir, 'kubedos-hub'),
      [
        ['--state-dir', hubDir],
        ['--topology', topologyFile],
        ['--inventory', secrets.inventoryPath],
        ['--tls-ca-cert', secrets.hubCaCertPath],
        ['--tls-ca-key', secrets.hubCaKeyPath],
        ['--listen', '127.0.0.1:0'],
        ['--heartbeat-ms', '1000'],
      ].flat(),
      dir,
    );
    running.push(hub);
    const { port } = await waitForHubReady({ stateDir: hubDir, isRunning: () => hub.child.exitCode === null });

    const admin = new AdminConnection(hubDir);
    try {
      const window = await admin.call<object, Window__Output>((a) => a.OpenWindow, {
        ttlSeconds: 600,
        nodes: [node.hostname],
      });
      assert.deepEqual(window.scopeNodes, [node.hostname]);

      const minionDir = path.join(dir, 'minion');
      fs.mkdirSync(minionDir, { mode: 0o700 });
      const identityFile = path.join(minionDir, 'identity.json');
      fs.copyFileSync(secrets.identityPath(node.hostname), identityFile);
      fs.chmodSync(identityFile, 0o600);
      const config: MinionConfigFile = {
        hub: `127.0.0.1:${port}`,
        hubCaPem: secrets.hubCaPem,
        identityFile,
        stateDir: path.join(minionDir, 'state'),
        useSmbios: false,
        root: path.join(minionDir, 'root'),
      };
      const configFile = path.join(minionDir, 'minion.json');
      fs.writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
      const minion = new RunningExecutable(path.join(dir, 'kubedos-minion'), ['--config', configFile], dir);
      running.push(minion);

      const status = await until(
        CONNECTED_DEADLINE_MS,
        async () => {
          const s = await admin.call<object, StatusResponse__Output>((a) => a.Status, {});
          return s.nodes.find((n) => n.name === node.hostname && n.state === 'connected') ? s : undefined;
        },
        () => `${node.hostname} never connected. hub:\n${hub.output.join('\n')}\nminion:\n${minion.output.join('\n')}`,
      );
      const entry = status.nodes.find((n) => n.name === node.hostname)!;

      // The minion kept the hub's answer; its plane addresses are the ones the topology intends.
      const stored = JSON.parse(fs.readFileSync(path.join(config.stateDir, 'enrollment.json'), 'utf8')) as {
        node: string;
        planes: Array<{ plane: string; address: string }>;
      };
      assert.equal(stored.node, node.hostname);
      const intended = intendedPlaneAddresses(topology, node).map((p) => `${p.plane}=${p.address}/32`);
      assert.deepEqual(stored.planes.map((p) => `${p.plane}=${p.address}`).sort(), intended.sort());
      // The hub's status lists the bare addresses.
      assert.deepEqual(
        entry.planes.map((p) => `${p.plane}=${p.address.replace(/\/32$/, '')}/32`).sort(),
        intended.sort(),
      );

      assert.equal(await minion.stop(), 0, minion.output.join('\n'));
    } finally {
      admin.close();
    }
    assert.equal(await hub.stop(), 0, hub.output.join('\n'));
  });
});

function findUp(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
    if (dir === path.dirname(dir)) return undefined;
  }
}

/** Polls until check returns a value; a readiness wait with a deadline, not a timing assertion. */
async function until<T>(deadlineMs: number, check: () => Promise<T | undefined>, describe: () => string): Promise<T> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(describe());
}
