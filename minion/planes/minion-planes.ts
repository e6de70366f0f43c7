/**
 * The node side of the planes. After enrolling, the minion writes
 * `<root>/etc/wireguard/wgN.conf` (0600, its own private key, generated on
 * this node by minion/node-keys.ts) and brings each plane up; when the hub
 * sends a ConfigUpdate it re-renders the files and syncs the live interfaces.
 * The last ConfigUpdate is kept in `<stateDir>/plane-peers.json`, so a
 * restart re-renders the same peers instead of dropping the wg3 mesh.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigUpdate } from '../../proto/gen/kubedos/v1/ConfigUpdate.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { fromBase64Key, toBase64 } from '../../shared/keys/wireguard.ts';
import { runLocal, type CommandRunner } from '../../shared/planes/command-runner.ts';
import { fromPlanePeer, hubPeer } from '../../shared/planes/peer-lists.ts';
import { renderWgConfig, type WgPeerConfig } from '../../shared/planes/render-wg-config.ts';
import { parseIpv4Network } from '../../shared/net/ipv4.ts';
import { loadEnrollment, type StoredEnrollment } from '../enrollment-store.ts';
import { bringUpFor, detectBringUpMode, type BringUpMode, type PlaneBringUp } from '../../shared/planes/bring-up.ts';

export interface MinionPlanesOptions {
  /** "/" on a real node; the node's own directory in the netns substrate. */
  root: string;
  stateDir: string;
  /** Default: detected (wg-quick with kernel WireGuard and systemd, else wireguard-go). */
  mode?: BringUpMode;
  run?: CommandRunner;
}

type StoredPlane = StoredEnrollment['planes'][number];

/** Peers per plane as the hub last sent them, in the state dir. */
interface StoredPeers {
  revision: number;
  planes: Record<string, WgPeerConfig[]>;
  /** Where the hub wants the session: its wg1 address (see shared/planes/session-route.ts). */
  sessionEndpoint?: string;
}

const PEERS_FILE = 'plane-peers.json';

export function planeConfPath(root: string, plane: string): string {
  return path.join(root, 'etc', 'wireguard', `${plane}.conf`);
}

export class MinionPlanes {
  private readonly opts: MinionPlanesOptions;
  private readonly run: CommandRunner;
  private bringUp: PlaneBringUp | undefined;
  /** The config text each plane was last brought up with by this process. */
  private readonly applied = new Map<string, string>();

  constructor(opts: MinionPlanesOptions) {
    this.opts = opts;
    this.run = opts.run ?? runLocal;
  }

  /** Renders and brings up every plane of the enrollment. Idempotent; safe to call on every start. */
  async applyEnrollment(enrollment: StoredEnrollment): Promise<void> {
    if (enrollment.role === 'master') return; // the hub owns the master's planes (hub/planes)
    const stored = this.loadPeers();
    for (const p of enrollment.planes) {
      await this.applyPlane(enrollment, p, stored?.planes[p.plane] ?? [this.hubPeerOf(p)]);
    }
  }

  /** Makes every plane named in the update carry exactly its peers, live, and keeps the update for restarts. */
  async applyPeerUpdate(update: ConfigUpdate, enrollment = loadEnrollment(this.opts.stateDir)): Promise<void> {
    if (!enrollment) throw new Error('a plane update arrived before this node enrolled');
    if (enrollment.role === 'master') return;
    const planes: Record<string, WgPeerConfig[]> = { ...this.loadPeers()?.planes };
    for (const pp of update.planes ?? []) {
      if (pp.plane) planes[pp.plane] = (pp.peers ?? []).map(fromPlanePeer);
    }
    writeFileAtomic(
      path.join(this.opts.stateDir, PEERS_FILE),
      JSON.stringify(
        {
          revision: Number(update.revision ?? 0),
          planes,
          ...(update.sessionEndpoint ? { sessionEndpoint: update.sessionEndpoint } : {}),
        } satisfies StoredPeers,
        null,
        2,
      ) + '\n',
      0o600,
    );
    for (const p of enrollment.planes) {
      const peers = planes[p.plane];
      if (peers) await this.applyPlane(enrollment, p, peers);
    }
  }

  /** The session endpoint the hub last named (its wg1 address), if any. */
  sessionEndpoint(): string | undefined {
    return this.loadPeers()?.sessionEndpoint;
  }

  /** Re-applies one plane from the stored enrollment and peers (the repair step when wg1 is broken). */
  async reapply(plane: string): Promise<void> {
    const enrollment = loadEnrollment(this.opts.stateDir);
    const p = enrollment?.planes.find((x) => x.plane === plane);
    if (!enrollment || !p || enrollment.role === 'master') return;
    this.applied.delete(plane);
    await this.applyPlane(enrollment, p, this.loadPeers()?.planes[plane] ?? [this.hubPeerOf(p)]);
  }

  async down(enrollment: StoredEnrollment): Promise<void> {
    const bringUp = await this.strategy();
    for (const p of enrollment.planes) await bringUp.down(p.plane);
  }

  private async applyPlane(enrollment: StoredEnrollment, p: StoredPlane, peers: WgPeerConfig[]): Promise<void> {
    const file = planeConfPath(this.opts.root, p.plane);
    const text = renderWgConfig({
      privateKey: this.privateKey(p.plane),
      address: `${p.address.split('/')[0]}/${parseIpv4Network(p.network).prefix}`,
      listenPort: p.listenPort,
      peers,
    });
    // An update that leaves this plane as this process last brought it up changes nothing.
    if (this.applied.get(p.plane) === text) return;
    this.applied.delete(p.plane);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, text, 0o600);
    try {
      await (await this.strategy()).up(p.plane, file);
      this.applied.set(p.plane, text);
    } catch (err) {
      throw new Error(`${enrollment.node}: bringing up ${p.plane} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private hubPeerOf(p: StoredPlane): WgPeerConfig {
    return hubPeer({
      plane: p.plane,
      name: 'hub',
      publicKey: p.hubPublicKey,
      hubAddress: p.hubAddress,
      network: p.network,
      endpoint: p.hubEndpoint,
    });
  }

  private privateKey(plane: string): string {
    const file = path.join(this.opts.stateDir, `${plane}.key`);
    return toBase64(fromBase64Key(fs.readFileSync(file, 'utf8')));
  }

  private loadPeers(): StoredPeers | undefined {
    const file = path.join(this.opts.stateDir, PEERS_FILE);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StoredPeers) : undefined;
  }

  private async strategy(): Promise<PlaneBringUp> {
    this.bringUp ??= bringUpFor(this.opts.mode ?? (await detectBringUpMode(this.run)), this.run);
    return this.bringUp;
  }
}

/** Called right after enrollment (and on every start once enrolled). */
export async function applyEnrollmentPlanes(
  opts: MinionPlanesOptions & { enrollment: StoredEnrollment },
): Promise<void> {
  await new MinionPlanes(opts).applyEnrollment(opts.enrollment);
}
