/**
 * The master's own planes: the hub address on wg1..wg3, and every enrolled
 * node as a peer with its /32. Peers are kept in `<stateDir>/planes/peers.json`
 * (written before the live change, so a crash between the two is repaired by
 * the next start) and rendered into `<root>/etc/wireguard/wgN.conf` with the
 * hub's private keys (0600), which is what a reboot brings back. Live
 * changes go through `wg set`, so other peers' sessions are untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseWgDump } from '../../shared/planes/wg-show.ts';
import { handshakeAge } from '../../shared/planes/session-route.ts';
import { ensurePrivateDir, writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { renderHubForward } from '../../shared/firewall/render-hub-forward.ts';
import { renderRuleset } from '../../shared/firewall/render-ruleset.ts';
import { localInterfaceHolding } from '../../shared/net/lan-interface.ts';
import { toBase64, type WireguardKeyPair } from '../../shared/keys/wireguard.ts';
import { bringUpFor, detectBringUpMode, type BringUpMode, type PlaneBringUp } from '../../shared/planes/bring-up.ts';
import { runLocal, type CommandRunner } from '../../shared/planes/command-runner.ts';
import { hubInterfaceAddress, masterNode, planeOf, type HubPublicKeys } from '../../shared/planes/peer-lists.ts';
import { renderWgConfig, type WgPeerConfig } from '../../shared/planes/render-wg-config.ts';
import { PLANE_NAMES, type PlaneName, type Topology } from '../../shared/topology/model.ts';
import { loadOrCreateHubPlaneKeys } from '../hub-plane-keys.ts';

/**
 * The hub keeps every peer alive too: after a hub restart it initiates the
 * handshakes itself (wireguard-go sends a keepalive as soon as the peer is
 * configured), so nodes are reachable again at once instead of after their
 * own rekey timeout.
 */
export const HUB_KEEPALIVE_SECONDS = 25;

export interface HubPlanesOptions {
  topology: Topology;
  stateDir: string;
  /** "/" on the master; the master's directory in the netns substrate. */
  root: string;
  mode?: BringUpMode;
  run?: CommandRunner;
  /** Default: loaded from (or created in) `<stateDir>/planes/`. */
  hubKeys?: Record<PlaneName, WireguardKeyPair>;
}

export interface HubPeer {
  publicKey: string;
  allowedIp: string;
  endpoint?: string;
}

/** node → plane → peer */
type PeerBook = Record<string, Partial<Record<PlaneName, HubPeer>>>;

export class HubPlanes {
  private readonly opts: HubPlanesOptions;
  private readonly run: CommandRunner;
  private readonly keys: Record<PlaneName, WireguardKeyPair>;
  private readonly peersFile: string;
  private book: PeerBook;
  private bringUp: PlaneBringUp | undefined;
  private started = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: HubPlanesOptions) {
    this.opts = opts;
    this.run = opts.run ?? runLocal;
    this.keys = opts.hubKeys ?? loadOrCreateHubPlaneKeys(opts.stateDir);
    ensurePrivateDir(path.join(opts.stateDir, 'planes'));
    this.peersFile = path.join(opts.stateDir, 'planes', 'peers.json');
    this.book = fs.existsSync(this.peersFile) ? (JSON.parse(fs.readFileSync(this.peersFile, 'utf8')) as PeerBook) : {};
  }

  get publicKeys(): HubPublicKeys {
    return Object.fromEntries(PLANE_NAMES.map((p) => [p, toBase64(this.keys[p].publicKey)])) as HubPublicKeys;
  }

  /** The peers the hub holds, as persisted: node → plane → peer. */
  get peers(): Readonly<PeerBook> {
    return this.book;
  }

  /** Brings up wg1..wg3 with every persisted peer, and the wg2-only forwarding. Idempotent. */
  start(): Promise<void> {
    return this.serial(async () => {
      this.bringUp ??= bringUpFor(this.opts.mode ?? (await detectBringUpMode(this.run)), this.run);
      await this.run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
      await this.run(['nft', '-f', '/dev/stdin'], { input: renderHubForward() });
      // The master's own input rules, on the interface that holds its LAN address here.
      const master = masterNode(this.opts.topology);
      const lanInterface = localInterfaceHolding(master.ip);
      if (lanInterface) {
        const ruleset = renderRuleset(this.opts.topology, master.hostname, { lanInterface });
        await this.run(['nft', '-f', '/dev/stdin'], { input: ruleset });
      }
      for (const plane of this.planes()) {
        await this.bringUp.up(plane, this.writeConf(plane));
      }
      this.started = true;
    });
  }

  /** Adds or changes one node's peer on one plane, live and persisted. */
  upsertPeer(node: string, plane: PlaneName, publicKey: string, allowedIp: string, endpoint?: string): Promise<void> {
    return this.serial(async () => {
      const old = this.book[node]?.[plane];
      const peer: HubPeer = { publicKey, allowedIp: allowedIp.includes('/') ? allowedIp : `${allowedIp}/32`, endpoint };
      this.book[node] = { ...this.book[node], [plane]: peer };
      this.save();
      this.writeConf(plane);
      if (!this.started) return; // start() brings the persisted peers up
      if (old && old.publicKey !== publicKey) await this.run(['wg', 'set', plane, 'peer', old.publicKey, 'remove']);
      const args = ['wg', 'set', plane, 'peer', publicKey, 'allowed-ips', peer.allowedIp];
      if (endpoint) args.push('endpoint', endpoint);
      args.push('persistent-keepalive', String(HUB_KEEPALIVE_SECONDS));
      await this.run(args);
    });
  }

  /** Removes every peer of a node at once (hubctl replace, or a node leaving). */
  removeNode(node: string): Promise<void> {
    return this.serial(async () => {
      const old = this.book[node];
      if (!old) return;
      delete this.book[node];
      this.save();
      for (const plane of this.planes()) {
        this.writeConf(plane);
        const p = old[plane];
        if (p && this.started) await this.run(['wg', 'set', plane, 'peer', p.publicKey, 'remove']);
      }
    });
  }

  /** Seconds since this node last completed a handshake with the hub on a plane; undefined if never (or not up). */
  async handshakeAge(node: string, plane: PlaneName, nowMs = Date.now()): Promise<number | undefined> {
    const key = this.book[node]?.[plane]?.publicKey;
    if (!key || !this.started) return undefined;
    const r = await this.run(['wg', 'show', plane, 'dump'], { reject: false });
    if (r.exitCode !== 0) return undefined;
    const peer = parseWgDump(r.stdout).peers.find((p) => p.publicKey === key);
    return peer ? handshakeAge(peer.latestHandshake, nowMs) : undefined;
  }

  async stop(): Promise<void> {
    if (!this.bringUp) return;
    const b = this.bringUp;
    await this.serial(async () => {
      for (const plane of this.planes()) await b.down(plane);
      this.started = false;
    });
  }

  private planes(): PlaneName[] {
    return this.opts.topology.planes.map((p) => p.name);
  }

  private writeConf(plane: PlaneName): string {
    const t = this.opts.topology;
    const peers: WgPeerConfig[] = Object.entries(this.book).flatMap(([name, planes]) => {
      const p = planes[plane];
      if (!p) return [];
      return [
        {
          name,
          publicKey: p.publicKey,
          allowedIps: [p.allowedIp],
          persistentKeepalive: HUB_KEEPALIVE_SECONDS,
          ...(p.endpoint ? { endpoint: p.endpoint } : {}),
        },
      ];
    });
    const file = path.join(this.opts.root, 'etc', 'wireguard', `${plane}.conf`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const text = renderWgConfig({
      privateKey: toBase64(this.keys[plane].privateKey),
      address: hubInterfaceAddress(t, plane),
      listenPort: planeOf(t, plane).port,
      peers,
    });
    writeFileAtomic(file, text, 0o600);
    return file;
  }

  private save(): void {
    writeFileAtomic(this.peersFile, JSON.stringify(this.book, null, 2) + '\n', 0o600);
  }

  /** One change at a time: the peer book, the files and the live interfaces move together. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }
}
