import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ensureDeploymentSecrets, type DeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';
import { Hub } from '../../hub/hub.ts';
import type { ConnectionLimits } from '../../hub/listener/limited-listener.ts';
import { AdminConnection } from '../../hub/cli/admin-client.ts';
import type { EnrollRequest } from '../../proto/gen/kubedos/v1/EnrollRequest.ts';
import type { EnrollResponse__Output } from '../../proto/gen/kubedos/v1/EnrollResponse.ts';
import type { EnrollmentClient } from '../../proto/gen/kubedos/v1/Enrollment.ts';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import type { InventoryFile, NodeIdentityFile } from '../../shared/identity/files.ts';
import { generateSigningKeyPair } from '../../shared/keys/ed25519.ts';
import { fromBase64Key, generateWireguardKeyPair } from '../../shared/keys/wireguard.ts';
import type { Logger } from '../../shared/log.ts';
import { contract } from '../../shared/proto/contract.ts';
import { hubChannel } from '../../shared/proto/hub-channel.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { buildEnrollRequest } from '../../minion/enrollment-request.ts';
import type { NodeKeys } from '../../minion/node-keys.ts';

/** A logger that keeps every line, so tests can assert on what was (and was not) logged. */
export function memoryLogger(lines: string[] = []): Logger & { lines: string[] } {
  const make = (component: string): Logger => {
    const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
      lines.push(`${level} ${component}: ${msg} ${fields ? JSON.stringify(fields) : ''}`);
    };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (c) => make(`${component}/${c}`),
    };
  };
  return Object.assign(make('hub'), { lines });
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kd-${tag}-`));
}

export function makeNodeKeys(): NodeKeys {
  return {
    identity: generateSigningKeyPair(),
    planes: { wg1: generateWireguardKeyPair(), wg2: generateWireguardKeyPair(), wg3: generateWireguardKeyPair() },
  };
}

export interface HubFixture {
  dir: string;
  topology: Topology;
  secrets: DeploymentSecrets;
  inventory: InventoryFile;
  hub: Hub;
  log: ReturnType<typeof memoryLogger>;
  admin: AdminConnection;
  enrollClient: EnrollmentClient;
  identity(node: string): NodeIdentityFile;
  enroll(request: EnrollRequest): Promise<EnrollResponse__Output>;
  request(
    node: string,
    keys?: NodeKeys,
    opts?: { now?: number; identity?: NodeIdentityFile; smbiosUuid?: string },
  ): EnrollRequest;
  openWindow(opts?: { ttlSeconds?: number; role?: string; nodes?: string[] }): Promise<Window__Output>;
  /** Stops the hub and starts it again on the same port; `between` runs while it is down (its state dir untouched otherwise). */
  restart(between?: () => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** A real hub on loopback with TLS, its own state dir and deployment secrets. */
export async function startHub(
  opts: {
    topologyFile?: string;
    heartbeatIntervalMs?: number;
    metricsListen?: string;
    tlsLeafLifetimeMs?: number;
    connectionLimits?: Partial<ConnectionLimits>;
    /** The hub's state dir (default: hub/ in the fixture's dir), e.g. on a small filesystem of the test's own. */
    stateDir?: string;
  } = {},
): Promise<HubFixture> {
  const dir = tempDir('hub');
  const topology = loadTopology(opts.topologyFile);
  const secrets = await ensureDeploymentSecrets(path.join(dir, 'secrets'), topology);
  const inventory = JSON.parse(fs.readFileSync(secrets.inventoryPath, 'utf8')) as InventoryFile;
  const log = memoryLogger();
  const hubDir = opts.stateDir ?? path.join(dir, 'hub');
  // Port 0 the first time; a restart binds the same port again, as a real hub would.
  let listen = '127.0.0.1:0';
  const make = () =>
    new Hub({
      stateDir: hubDir,
      topology,
      inventory,
      listen,
      tlsCaCertPem: secrets.hubCaPem,
      tlsCaKeyPem: fs.readFileSync(secrets.hubCaKeyPath, 'utf8'),
      backupRecipient: fromBase64Key(fs.readFileSync(secrets.backupRecipientPath, 'utf8')),
      ...(opts.tlsLeafLifetimeMs ? { tlsLeafLifetimeMs: opts.tlsLeafLifetimeMs } : {}),
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 1000,
      ...(opts.metricsListen ? { metricsListen: opts.metricsListen } : {}),
      ...(opts.connectionLimits ? { connectionLimits: opts.connectionLimits } : {}),
      log,
    });
  const fixture: HubFixture = {
    dir,
    topology,
    secrets,
    inventory,
    log,
    hub: make(),
    admin: undefined as unknown as AdminConnection,
    enrollClient: undefined as unknown as EnrollmentClient,
    identity: (node) => JSON.parse(fs.readFileSync(secrets.identityPath(node), 'utf8')) as NodeIdentityFile,
    enroll: (request) =>
      new Promise((resolve, reject) =>
        fixture.enrollClient.Enroll(request, { deadline: Date.now() + 10_000 }, (err, res) =>
          err ? reject(err) : resolve(res!),
        ),
      ),
    request: (node, keys = makeNodeKeys(), o = {}) =>
      buildEnrollRequest(
        o.identity ?? fixture.identity(node),
        keys,
        { smbiosUuid: o.smbiosUuid ?? '', smbiosSerial: '' },
        { hostname: node },
        o.now,
      ),
    openWindow: (o = {}) =>
      fixture.admin.call<object, Window__Output>((a) => a.OpenWindow, {
        ttlSeconds: o.ttlSeconds ?? 600,
        role: o.role ?? '',
        nodes: o.nodes ?? [],
      }),
    restart: async (between) => {
      fixture.admin.close();
      fixture.enrollClient.close();
      await fixture.hub.stop();
      await between?.();
      fixture.hub = make();
      await connect();
    },
    close: async () => {
      fixture.admin.close();
      fixture.enrollClient.close();
      await fixture.hub.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const connect = async () => {
    await fixture.hub.start();
    listen = `127.0.0.1:${fixture.hub.port}`;
    fixture.admin = new AdminConnection(hubDir);
    const { credentials, options } = hubChannel(secrets.hubCaPem);
    fixture.enrollClient = new (contract().Enrollment)(`127.0.0.1:${fixture.hub.port}`, credentials, options);
  };
  await connect();
  return fixture;
}

/** The gRPC status code of a rejected promise (fails the test if it resolved). */
export async function rejectionCode(p: Promise<unknown>): Promise<{ code: grpc.status; details: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}
