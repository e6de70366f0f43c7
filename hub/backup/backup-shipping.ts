import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/topology/model.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import type { HubBackups } from './hub-backups.ts';
import type { MinionMessage__Output } from '../../proto/gen/kubedos/v1/MinionMessage.ts';

export interface BackupShippingOptions {
  registry: SessionRegistry;
  topology: Topology;
  backups: HubBackups;
  log: Logger;
}

/**
 * Ships each backup of the hub's state to the topology's storage nodes over
 * their sessions (the management plane), so the master's loss does not take
 * them: at once when it is taken, and the newest again to a storage node that
 * connects without having said it keeps it. What each node said it keeps is
 * remembered while this hub runs (`hubctl hub backups` shows it).
 */
export class BackupShipping {
  readonly #o: BackupShippingOptions;
  /** backup name → the nodes that said they keep it */
  readonly #copies = new Map<string, Set<string>>();
  readonly #targets: string[];

  readonly #onMessage = (node: string, m: MinionMessage__Output): void => {
    const stored = m.backupStored;
    if (!stored || !this.#targets.includes(node)) return;
    if (stored.error) {
      this.#o.log.warn('a storage node did not keep a hub backup', { node, name: stored.name, reason: stored.error });
      return;
    }
    const kept = this.#o.backups.withSum(stored.name);
    if (!kept || kept.sha256 !== stored.sha256) {
      this.#o.log.warn('a storage node kept something else than the hub sent', { node, name: stored.name });
      return;
    }
    const nodes = this.#copies.get(stored.name) ?? new Set<string>();
    nodes.add(node);
    this.#copies.set(stored.name, nodes);
    this.#o.log.info('hub backup copied off the master', { node, name: stored.name });
  };

  readonly #onConnected = (node: string): void => {
    if (!this.#targets.includes(node)) return;
    const newest = this.#o.backups.newest();
    // After the session's welcome, which follows this event.
    if (newest && !this.#copies.get(newest)?.has(node)) setImmediate(() => this.#send(node, newest));
  };

  constructor(o: BackupShippingOptions) {
    this.#o = o;
    this.#targets = o.topology.nodes.filter((n) => n.role === 'storage').map((n) => n.hostname);
  }

  start(): void {
    this.#o.registry.on('message', this.#onMessage);
    this.#o.registry.on('connected', this.#onConnected);
  }

  stop(): void {
    this.#o.registry.off('message', this.#onMessage);
    this.#o.registry.off('connected', this.#onConnected);
  }

  /** Sends a backup just taken to every connected storage node. */
  ship(name: string): void {
    for (const node of this.#targets) if (this.#o.registry.isConnected(node)) this.#send(node, name);
  }

  copiedTo(name: string): string[] {
    return [...(this.#copies.get(name) ?? [])].sort();
  }

  #send(node: string, name: string): void {
    const kept = this.#o.backups.withSum(name);
    if (!kept) return;
    this.#o.registry.send(node, { backupCopy: { name, data: kept.data, sha256: kept.sha256 } });
  }
}
