import type { KubeletContainer } from './plan/render/kubeadm.ts';
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { DatabaseSync } from 'node:sqlite';
import { ensurePrivateDir } from '../shared/fs/atomic-write.ts';
import type { InventoryFile } from '../shared/identity/files.ts';
import type { WireguardKeyPair } from '../shared/keys/wireguard.ts';
import type { Logger } from '../shared/log.ts';
import {
  ADMIN_MAX_RECEIVE_BYTES,
  HUB_MAX_RECEIVE_BYTES,
  MINION_MAX_RECEIVE_BYTES,
  contract,
} from '../shared/proto/contract.ts';
import type { PlaneName, Topology } from '../shared/topology/model.ts';
import { ADMIN_SOCKET_FILE, loadOrCreateAdminToken } from './admin/admin-token.ts';
import { AUDIT_LOG_FILE, AuditLog } from './admin/audit-log.ts';
import { HubMetrics } from './metrics/hub-metrics.ts';
import { MetricsServer } from './metrics/metrics-server.ts';
import { adminService } from './admin/admin-service.ts';
import { enrollmentService } from './enrollment/enrollment-service.ts';
import { pruneNonces } from './enrollment/enrollments.ts';
import { completeFinishedWindows } from './enrollment/windows.ts';
import { loadOrCreateHubPlaneKeys } from './hub-plane-keys.ts';
import { agentService } from './sessions/agent-service.ts';
import { SessionRegistry } from './sessions/registry.ts';
import { answerCertificateRequests } from './pki/certificate-requests.ts';
import { CertificateSigner } from './pki/certificate-signer.ts';
import { recordIssued } from './pki/issued-certificates.ts';
import { CertificateRenewalWatch } from './pki/renewal-watch.ts';
import { topologyWithStoredAddresses } from './ipam/stored-topology.ts';
import { darksitePackages } from '../shared/darksite/package-index.ts';
import { lanInterfaceOf, refusedLanInterface } from '../shared/net/lan-interface.ts';
import { GroupCommit } from './state/group-commit.ts';
import { DiskFullWatch, isDiskFull, MemoryNonces } from './state/disk-full.ts';
import { importInventory, inventoryNode } from './state/inventory.ts';
import { isIpv4, networkContains, parseIpv4Network } from '../shared/net/ipv4.ts';
import { hubAcceptsLanSession } from '../shared/planes/session-route.ts';
import { CORE_MIGRATIONS } from './state/migrations.ts';
import { ConvergeService } from './converge/converge-service.ts';
import { backupInterval, EtcdBackupSchedule } from './converge/etcd-backup-schedule.ts';
import { etcdBackupSettings } from './plan/etcd-recovery.ts';
import { CONVERGE_MIGRATIONS } from './converge/schema.ts';
import { SessionChannel } from './sessions/session-channel.ts';
import { SignatureVerifier } from './enrollment/signature-verifier.ts';
import { HubPlanes } from './planes/hub-planes.ts';
import { PlaneSync } from './planes/plane-sync.ts';
import type { BringUpMode } from '../shared/planes/bring-up.ts';
import { openHubDb } from './state/open-db.ts';
import { statement } from './state/statements.ts';

import { HUB_VERSION } from './version.ts';
import { DEFAULT_CONNECTION_LIMITS, LimitedListener, type ConnectionLimits } from './listener/limited-listener.ts';
import type { ProveReplacement } from './auth/replaced-keys.ts';
import { HubBackups } from './backup/hub-backups.ts';
import { BackupShipping } from './backup/backup-shipping.ts';
import { proveReplacement as signReplacement } from '../shared/auth/replacement-proof.ts';
import { HubTlsIdentity } from './pki/hub-tls-identity.ts';
import { CertificateAuthority } from '../shared/pki/certificate-authority.ts';

export interface HubOptions {
  stateDir: string;
  topology: Topology;
  inventory: InventoryFile;
  /** "host:port" for enrollment and sessions (TLS). Port 0 picks a free port. */
  listen: string;
  /** The hub's TLS CA (what nodes pin): the hub issues itself its serving certificate from it. */
  tlsCaCertPem: string;
  tlsCaKeyPem: string;
  /** The life of each serving certificate (30 days); renewed with a third left. */
  tlsLeafLifetimeMs?: number;
  heartbeatIntervalMs?: number;
  /** The master's own WireGuard planes: off (sim, tests), or how to bring them up, with the root their configs go under. */
  planes?: { mode: 'auto' | BringUpMode; root: string };
  /** The darksite the nodes install from (the master's own copy): tasks needing a package it lacks are skipped. */
  darksiteDir?: string;
  /** "host:port" for GET /metrics (Prometheus text format); none when absent. Port 0 picks a free port. */
  metricsListen?: string;
  /** The deployment's recovery key, public half: the hub seals its backups to it (none are taken without). */
  backupRecipient?: Uint8Array;
  /** How often the hub backs its state up (1 h when absent; 0: only on `hubctl hub backup`). */
  backupEveryMs?: number;
  /** Connections and calls the node-facing port holds (DEFAULT_CONNECTION_LIMITS where absent). */
  connectionLimits?: Partial<ConnectionLimits>;
  log: Logger;
}

const HOUR_MS = 3_600_000;

/** How long a plan waits for a connected node's first facts. */
const FACTS_WAIT_MS = 30_000;

/**
 * The hub: durable state, the TLS listener for nodes (Enrollment, Agent), and
 * the admin listener on a unix socket in the 0700 state dir (Admin).
 */
export class Hub {
  readonly db: DatabaseSync;
  readonly registry = new SessionRegistry();
  readonly writes: GroupCommit;
  readonly hubKeys: Record<PlaneName, WireguardKeyPair>;
  readonly adminSocket: string;
  readonly heartbeatIntervalMs: number;
  readonly converge: ConvergeService;
  readonly metrics: HubMetrics;
  readonly #backups: EtcdBackupSchedule | undefined;
  readonly #renewals: CertificateRenewalWatch;
  readonly backups: HubBackups;
  /** Whether the state dir's disk is full (writes refused, said in hubctl status). */
  readonly diskFull: DiskFullWatch;
  readonly #memoryNonces = new MemoryNonces();
  readonly #shipping: BackupShipping;
  #metricsServer: MetricsServer | undefined;
  /** The one pending retry of the metrics listener (not one timer per attempt). */
  #metricsRetry: NodeJS.Timeout | undefined;
  readonly #nodeServer: grpc.Server;
  readonly #limits: ConnectionLimits;
  #listener: LimitedListener | undefined;
  #adminServer = new grpc.Server({
    'grpc.max_receive_message_length': HUB_MAX_RECEIVE_BYTES,
    'grpc.max_send_message_length': ADMIN_MAX_RECEIVE_BYTES,
  });
  #timers: NodeJS.Timeout[] = [];
  #tls: HubTlsIdentity | undefined;
  #planeSync: PlaneSync | undefined;
  #hubPlanes: HubPlanes | undefined;
  readonly #verifier = new SignatureVerifier();
  #port = 0;
  readonly #opts: HubOptions;

  constructor(opts: HubOptions) {
    this.#opts = opts;
    this.#limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.connectionLimits };
    this.#nodeServer = new grpc.Server({
      'grpc.max_receive_message_length': HUB_MAX_RECEIVE_BYTES,
      'grpc.max_send_message_length': MINION_MAX_RECEIVE_BYTES,
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
      // A connection that holds no call for a minute (a client that connects and waits) is closed; a node's
      // session is a call for as long as it lives.
      'grpc.max_connection_idle_ms': 60_000,
      'grpc.max_concurrent_streams': this.#limits.streamsPerConnection,
    });
    ensurePrivateDir(opts.stateDir);
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 5000;
    this.diskFull = new DiskFullWatch(opts.stateDir, (full) =>
      full
        ? opts.log.error('the disk under the hub state is full: writes are refused, sessions and reads go on', {
            stateDir: opts.stateDir,
          })
        : opts.log.info('the hub takes writes again: its disk has room'),
    );
    this.db = openHubDb(path.join(opts.stateDir, 'hub.db'), [...CORE_MIGRATIONS, ...CONVERGE_MIGRATIONS]);
    try {
      importInventory(this.db, opts.topology, opts.inventory);
    } catch (err) {
      // A full disk at start: the hub starts on the inventory it has (nodes keep being served) and says why.
      if (!isDiskFull(err)) throw err;
      this.diskFull.saw(err);
    }
    this.writes = new GroupCommit(this.db, {
      beforeCommit: () => completeFinishedWindows(this.db, Date.now()),
      committed: (err) => this.diskFull.saw(err),
    });
    this.hubKeys = loadOrCreateHubPlaneKeys(opts.stateDir);
    this.adminSocket = path.join(opts.stateDir, ADMIN_SOCKET_FILE);
    this.metrics = new HubMetrics({
      db: this.db,
      sessions: this.registry,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
      deployment: opts.topology.name,
    });
    this.converge = new ConvergeService({
      db: this.db,
      channel: new SessionChannel(this.registry),
      topology: opts.topology,
      hubStateDir: opts.stateDir,
      engine: {
        ...(opts.topology.convergence?.parallelInstalls
          ? { maxParallelInstalls: opts.topology.convergence.parallelInstalls }
          : {}),
        onStoreError: (what, err) => opts.log.error(`${what} failed`, { error: err.message }),
      },
      plan: async () => ({
        ...(opts.darksiteDir ? { availablePackages: darksitePackages(opts.darksiteDir) } : {}),
        lanInterfaces: await this.#lanInterfaces(opts.topology, opts.log),
        kubeletContainers: this.#kubeletContainers(opts.topology),
      }),
    });
    this.backups = new HubBackups({
      db: this.db,
      stateDir: opts.stateDir,
      deployment: opts.topology.name,
      recipient: opts.backupRecipient,
      signingKeyPem: opts.tlsCaKeyPem,
      everyMs: opts.backupEveryMs ?? HOUR_MS,
      log: opts.log.child('backup'),
      onTaken: (name) => this.#shipping.ship(name),
    });
    this.#shipping = new BackupShipping({
      registry: this.registry,
      topology: opts.topology,
      backups: this.backups,
      log: opts.log.child('backup'),
    });
    this.#renewals = new CertificateRenewalWatch({ db: this.db, service: this.converge, log: opts.log });
    const every = backupInterval(etcdBackupSettings(opts.topology).every);
    if (every !== undefined)
      this.#backups = new EtcdBackupSchedule({ db: this.db, service: this.converge, everyMs: every, log: opts.log });
    const v1 = contract();
    const log = opts.log;
    const proveReplacement: ProveReplacement = (node, key) =>
      signReplacement(opts.tlsCaKeyPem, opts.topology.name, node, key);
    // Keys are made on the nodes; the hub signs what they ask for, with its etcd CA.
    answerCertificateRequests(
      this.registry,
      new CertificateSigner({
        pkiDir: path.join(opts.stateDir, 'pki'),
        topology: () => topologyWithStoredAddresses(this.db, opts.topology),
        onIssued: (node, profile, certPem) => recordIssued(this.db, node, profile, certPem),
      }),
      log,
    );
    this.#nodeServer.addService(
      v1.Enrollment.service,
      enrollmentService({
        db: this.db,
        writes: this.writes,
        verifier: this.#verifier,
        topology: opts.topology,
        hubKeys: this.hubKeys,
        heartbeatIntervalMs: this.heartbeatIntervalMs,
        log: log.child('enroll'),
        onEnrolled: () => void this.#planeSync?.reconcile(),
        onAnswered: (refusal) => (refusal === undefined ? this.metrics.enrolled() : this.metrics.refused(refusal)),
      }),
    );
    this.#nodeServer.addService(
      v1.Agent.service,
      agentService({
        db: this.db,
        writes: this.writes,
        registry: this.registry,
        heartbeatIntervalMs: this.heartbeatIntervalMs,
        log: log.child('session'),
        onHelloIgnored: () => this.metrics.helloIgnored(),
        memoryNonces: this.#memoryNonces,
        proveReplacement,
        onUnknownKey: (node, peer) => {
          if (inventoryNode(this.db, node)) this.registry.knocked(node, peer, Date.now());
        },
        ...(opts.planes ? { sessionAllowedFrom: (node, peer) => this.#sessionAllowedFrom(node, peer) } : {}),
      }),
    );
    this.#adminServer.addService(
      v1.Admin.service,
      adminService({
        db: this.db,
        writes: this.writes,
        registry: this.registry,
        deployment: opts.topology.name,
        version: HUB_VERSION,
        adminToken: loadOrCreateAdminToken(opts.stateDir),
        heartbeatIntervalMs: this.heartbeatIntervalMs,
        converge: this.converge,
        log: log.child('admin'),
        proveReplacement,
        hubBackups: this.backups,
        backupCopies: (name) => this.#shipping.copiedTo(name),
        hubProblems: () => this.diskFull.problems(),
        onReplaced: () => void this.#planeSync?.reconcile(),
        audit: new AuditLog(path.join(opts.stateDir, AUDIT_LOG_FILE)),
        hubTls: () =>
          this.#tls && { caPem: opts.tlsCaCertPem, certPem: this.#tls.certPem, renewAtMs: this.#tls.renewAtMs },
        pkiDir: path.join(opts.stateDir, 'pki'),
        topology: opts.topology,
      }),
    );
  }

  /** The port GET /metrics is served on (0: not served). */
  get metricsPort(): number {
    return this.#metricsServer?.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    if (this.#opts.planes) {
      const { mode, root } = this.#opts.planes;
      const planes = new HubPlanes({
        topology: this.#opts.topology,
        stateDir: this.#opts.stateDir,
        root,
        hubKeys: this.hubKeys,
        ...(mode === 'auto' ? {} : { mode }),
      });
      this.#hubPlanes = planes;
      this.#planeSync = new PlaneSync({
        db: this.db,
        topology: this.#opts.topology,
        registry: this.registry,
        planes,
        log: this.#opts.log.child('planes'),
      });
      await this.#planeSync.start();
    }
    this.#tls = await HubTlsIdentity.issue(
      await CertificateAuthority.fromPem(this.#opts.tlsCaCertPem, this.#opts.tlsCaKeyPem),
      this.#opts.tlsLeafLifetimeMs,
    );
    this.#tls.start(() => this.#opts.log.info('renewed the TLS certificate the hub serves'));
    const injector = this.#nodeServer.createConnectionInjector(this.#tls.credentials());
    this.#listener = new LimitedListener(
      this.#limits,
      (socket) => injector.injectConnection(socket),
      (hit) => this.metrics.connectionRefused(hit),
    );
    this.#port = await this.#listener.listen(this.#opts.listen);
    // A socket left by a killed hub would make bind fail; nothing else can own this path (0700 dir).
    fs.rmSync(this.adminSocket, { force: true });
    await bind(this.#adminServer, `unix:${this.adminSocket}`, grpc.ServerCredentials.createInsecure());
    fs.chmodSync(this.adminSocket, 0o600);
    this.#timers.push(setInterval(() => this.#persistHeartbeats(), this.heartbeatIntervalMs).unref());
    this.#timers.push(
      setInterval(() => void this.writes.run(() => pruneNonces(this.db, Date.now())).catch(() => {}), 60_000).unref(),
    );
    this.#backups?.start();
    if (this.#opts.backupEveryMs !== 0) this.backups.start();
    this.#shipping.start();
    this.#renewals.start();
    if (this.#opts.metricsListen) await this.#serveMetrics(this.#opts.metricsListen);
    this.#opts.log.info('hub serving', {
      listen: this.#opts.listen,
      port: this.#port,
      admin: this.adminSocket,
      ...(this.#metricsServer ? { metricsPort: this.#metricsServer.port } : {}),
    });
  }

  /**
   * GET /metrics. An address it cannot listen on (yet: a plane address
   * before its interface is up) is tried again every 5 s: metrics never keep
   * the hub from serving its nodes.
   */
  async #serveMetrics(address: string): Promise<void> {
    const server = new MetricsServer(this.metrics);
    try {
      await server.listen(address);
      this.#metricsServer = server;
    } catch (err) {
      this.#opts.log.warn('cannot serve metrics there yet; trying again in 5 s', {
        address,
        error: (err as NodeJS.ErrnoException).code ?? String(err),
      });
      this.#metricsRetry = setTimeout(() => void this.#serveMetrics(address).catch(() => {}), 5_000).unref();
    }
  }

  /**
   * Each node's LAN interface as the node itself said it (keepalived and the
   * firewall name it). A node whose session is open but whose hello has not
   * arrived yet is waited for, briefly: a plan built in that moment would
   * otherwise name the default (ens18) on a node that has host0.
   */
  async #lanInterfaces(t: Topology, log: Logger): Promise<Record<string, string>> {
    await this.registry.factsOfConnected(
      t.nodes.map((n) => n.hostname),
      FACTS_WAIT_MS,
    );
    const known = Object.fromEntries(
      t.nodes.flatMap((n) => {
        const nic = lanInterfaceOf(this.registry.get(n.hostname)?.facts, n.ip);
        return nic ? [[n.hostname, nic]] : [];
      }),
    );
    for (const n of t.nodes) {
      const refused = refusedLanInterface(this.registry.get(n.hostname)?.facts, n.ip);
      if (refused) log.warn('refused what a node reported (hubctl status shows it)', { node: n.hostname, refused });
    }
    const unknown = t.nodes.filter((n) => n.role !== 'master' && !known[n.hostname]).map((n) => n.hostname);
    if (unknown.length)
      log.warn('plan made without these nodes’ LAN interface (no facts from them yet): the default is named', {
        nodes: unknown.join(','),
      });
    return known;
  }

  /** Nodes that said they are containers, with the cgroup version each sees (the kubelet is set for it). */
  #kubeletContainers(t: Topology): Record<string, KubeletContainer> {
    return Object.fromEntries(
      t.nodes.flatMap((n) => {
        const facts = this.registry.get(n.hostname)?.facts;
        return facts?.container ? [[n.hostname, { cgroup: facts.cgroup === 'v1' ? 'v1' : 'v2' }]] : [];
      }),
    );
  }

  /** The management-plane rule, hub side: over wg1 always; over the LAN only while the node's wg1 is down. */
  async #sessionAllowedFrom(node: string, peerAddress: string): Promise<boolean> {
    const wg1 = this.#opts.topology.planes.find((p) => p.name === 'wg1')!;
    if (isIpv4(peerAddress) && networkContains(parseIpv4Network(wg1.cidr), peerAddress)) return true;
    if (inventoryNode(this.db, node)?.role === 'master') return true; // the master's own minion has no planes
    return hubAcceptsLanSession(true, await this.#hubPlanes?.handshakeAge(node, 'wg1'));
  }

  #persistHeartbeats(): void {
    const live = this.registry.all();
    if (live.length === 0) return;
    void this.writes
      .run(() => {
        const update = statement(this.db, 'UPDATE sessions SET last_heartbeat = ? WHERE node = ?');
        for (const s of live) update.run(s.lastHeartbeat, s.node);
      })
      .catch(() => {});
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#tls?.stop();
    clearTimeout(this.#metricsRetry);
    this.#backups?.stop();
    this.backups.stop();
    this.#shipping.stop();
    this.#renewals.stop();
    this.converge.close();
    this.#planeSync?.stop();
    await this.#verifier.close();
    await Promise.all([
      this.#listener?.close(),
      shutdown(this.#nodeServer),
      shutdown(this.#adminServer),
      this.#metricsServer?.close(),
    ]);
    this.db.close();
  }
}

function bind(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port))),
  );
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
