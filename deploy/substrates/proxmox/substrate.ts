import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_PATHS } from '../../../iso-builder/node-layout.ts';
import { UserError } from '../../../shared/errors.ts';
import { masterNode } from '../../../shared/planes/peer-lists.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { guestHubControl, guestHubReady } from '../../pipeline/guest-hub.ts';
import type { Substrate } from '../../pipeline/pipeline.ts';
import type { HubControl } from '../../pipeline/hub-control.ts';
import { isTransient, ProxmoxApiError, vmPath, type ProxmoxApi } from './api-client.ts';
import { foreignHolders, isOurs, readCluster, settledConfig, type ClusterView } from './cluster-view.ts';
import { ProxmoxGuest } from './guest.ts';
import {
  deleteMedia,
  ensureUploaded,
  isOurMedia,
  platformIsoName,
  readIsoStore,
  seedName,
  seedPrefix,
  volumeId,
  type IsoStore,
  type StampMedia,
} from './media-store.ts';
import { placeNodes } from './placement.ts';
import { compareConfig, desiredConfig, ownerOf, qmLine, updateFor, type Drift } from './vm-shape.ts';
import { pollUntil } from '../../toolkit/poll.ts';
import {
  describeInstall,
  INSTALL_STATUS_FILE,
  INSTALL_STATUS_SEEN,
  installEnded,
  parseInstallStatus,
  type InstallPhase,
} from '../../../iso-builder/installer/install-status.ts';

export type VmAction = 'create' | 'update' | 'unchanged' | 'rebuild needed';

/** One VM's line in the summary. */
export interface VmReport {
  node: string;
  vmid: number;
  pveNode: string;
  action: VmAction;
  drift: Drift[];
  /** The `qm` lines a dry run prints. */
  qm: string[];
  /** Where the VM got to in boot: started, installing, installed, booted, or the installer's refusal. */
  boot?: string;
  media?: 'detached';
}

export interface ProxmoxRunOptions {
  topology: Topology;
  api: ProxmoxApi;
  dryRun: boolean;
  /** At most this many creates at once per storage (lock contention grows with it). */
  concurrency: number;
  signal: AbortSignal;
  say(line: string): void;
  /** Limit to these nodes (redeploy). */
  only?: string[];
  /** Poll spacing per VM while booting (pvedaemon has few workers). */
  bootPollMs?: number;
}

interface BootState {
  phase: 'starting' | 'installing' | 'booted' | 'failed';
  /** The installer's last word, as said to the operator. */
  install?: string;
  /** How the installer ended, once it has. */
  ended?: InstallPhase;
  restarts: number;
}

/**
 * The `proxmox` substrate: VMs in the exact shape over the Proxmox VE API,
 * created in parallel (bounded per storage, lock timeouts retried), never
 * touching a VM that is not this deployment's; the guest agent is its only
 * way into a VM.
 */
export class ProxmoxSubstrate implements Substrate<StampMedia> {
  readonly name = 'proxmox';
  readonly reports = new Map<string, VmReport>();
  readonly uploads: Array<{ name: string; pveNode: string; uploaded: boolean }> = [];
  warnings: string[] = [];
  private readonly o: ProxmoxRunOptions;
  private readonly t: Topology;
  private view: ClusterView | undefined;
  private store: IsoStore | undefined;
  private placement = new Map<string, string>();
  private media: StampMedia | undefined;
  private readonly boots = new Map<string, BootState>();
  private supervisor: Promise<void> | undefined;
  private stopping = false;
  private failed: string | undefined;

  constructor(o: ProxmoxRunOptions) {
    this.o = o;
    this.t = o.topology;
  }

  private nodes(): TopologyNode[] {
    return this.t.nodes.filter((n) => !this.o.only || this.o.only.includes(n.hostname));
  }

  private pveOf(node: string): string {
    return this.placement.get(node)!;
  }

  /** Reads the cluster and refuses, before any write, a VMID something else holds. */
  async survey(): Promise<ClusterView> {
    const view = await readCluster(this.o.api, this.t);
    const foreign = foreignHolders(view, this.t);
    if (foreign.length)
      throw new UserError(
        `${foreign.join('; ')}: kubedos never touches a VM it did not make`,
        'give those nodes free VMIDs in the topology (nothing was written)',
      );
    const existing = new Map<string, string>();
    for (const n of this.t.nodes) {
      const vm = view.vms.get(n.vmid);
      if (vm) existing.set(n.hostname, vm.node);
    }
    const placed = placeNodes(this.t, existing);
    this.placement = placed.node;
    // Said once a run, however often the cluster is read again.
    for (const w of placed.warnings.filter((w) => !this.warnings.includes(w))) this.o.say(`warning: ${w}`);
    this.warnings = placed.warnings;
    const offline = [...new Set(this.nodes().map((n) => this.pveOf(n.hostname)))].filter(
      (p) => !view.online.includes(p),
    );
    if (offline.length)
      throw new UserError(
        `Proxmox node ${offline.join(', ')} is not online`,
        'bring it up, or place the nodes elsewhere (pveNode)',
      );
    this.view = view;
    return view;
  }

  private toCreate(): TopologyNode[] {
    return this.nodes().filter((n) => !this.view!.vms.has(n.vmid));
  }

  async place(media: StampMedia): Promise<void> {
    this.media = media;
    if (!this.view) await this.survey();
    const used = [...new Set(this.nodes().map((n) => this.pveOf(n.hostname)))];
    this.store = await readIsoStore(this.o.api, this.t, used);
    const jobs: Array<{ pveNode: string; name: string; file: StampMedia['iso'] }> = [];
    // The platform ISO on every node with a VM to install; its seed where each such VM goes: a new VM, or one that
    // still has its seed attached (it never enrolled; the last deploy took the seed off the storage on its way out).
    const installing = this.nodes().filter((n) => {
      const vm = this.view!.vms.get(n.vmid);
      return !vm || vm.config.ide3 !== undefined;
    });
    for (const p of new Set(installing.map((n) => this.pveOf(n.hostname))))
      jobs.push({ pveNode: p, name: platformIsoName(this.t, media.iso), file: media.iso });
    for (const n of installing) {
      const seed = media.seeds.get(n.hostname);
      if (!seed) throw new Error(`no seed for ${n.hostname}`);
      jobs.push({ pveNode: this.pveOf(n.hostname), name: seedName(this.t, n.hostname, seed), file: seed });
    }
    const seen = new Set<string>();
    for (const j of jobs) {
      const key = `${this.store.via(j.pveNode)}/${j.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const uploaded = await ensureUploaded(this.o.api, this.t, this.store, j.pveNode, j.name, j.file, this.o.dryRun);
      this.uploads.push({ name: j.name, pveNode: this.store.via(j.pveNode), uploaded });
      if (uploaded)
        this.o.say(`${this.o.dryRun ? 'would upload' : 'uploaded'} ${j.name} to ${this.store.via(j.pveNode)}`);
    }
  }

  async stamp(media: StampMedia): Promise<void> {
    if (!this.store) await this.place(media);
    // Every VM's disks go to the one proxmox.storage: one limit is the limit per storage.
    const limit = pLimit(this.o.concurrency);
    await Promise.all(this.nodes().map((n) => limit(() => this.stampOne(n, media))));
  }

  private async stampOne(n: TopologyNode, media: StampMedia): Promise<void> {
    if (this.o.signal.aborted) throw new UserError('interrupted');
    const pveNode = this.pveOf(n.hostname);
    const seed = media.seeds.get(n.hostname)!;
    const want = desiredConfig(this.t, n, {
      iso: volumeId(this.t, platformIsoName(this.t, media.iso)),
      seed: volumeId(this.t, seedName(this.t, n.hostname, seed)),
    });
    const existing = this.view!.vms.get(n.vmid);
    const report: VmReport = { node: n.hostname, vmid: n.vmid, pveNode, action: 'unchanged', drift: [], qm: [] };
    this.reports.set(n.hostname, report);
    if (!existing) {
      report.action = 'create';
      report.qm.push(qmLine('create', n.vmid, want));
      if (this.o.dryRun) return;
      await this.createVm(pveNode, n, want);
      this.o.say(`${n.hostname} (${pveNode}/${n.vmid}) created`);
      return;
    }
    report.drift = compareConfig(want, existing.config);
    const update = updateFor(want, report.drift);
    if (report.drift.some((d) => d.rebuild)) report.action = 'rebuild needed';
    else if (Object.keys(update).length) report.action = 'update';
    if (Object.keys(update).length) {
      report.qm.push(qmLine('set', n.vmid, update));
      if (!this.o.dryRun) {
        await this.o.api.call('PUT', vmPath(existing.node, n.vmid, '/config'), update);
        this.o.say(
          `${n.hostname} (${existing.node}/${n.vmid}) updated: ${Object.keys(update).join(', ')} (from the next boot)`,
        );
      }
    }
    for (const d of report.drift.filter((x) => x.rebuild))
      this.o.say(
        `${n.hostname}: ${d.key} is ${d.have || '(unset)'}, the topology wants ${d.want}: run "kubedos redeploy ${n.hostname}"`,
      );
  }

  /** Creates a VM; a lock timeout is retried, and a create that already happened counts only if the VM is ours. */
  private async createVm(pveNode: string, n: TopologyNode, want: Record<string, string | number>): Promise<void> {
    const api = this.o.api;
    // The task itself may fail on a lock timeout: the whole create is retried, not only its request.
    await api.retrying(async () => {
      try {
        const upid = await api.task('POST', `/nodes/${encodeURIComponent(pveNode)}/qemu`, { vmid: n.vmid, ...want });
        await api.waitTask(pveNode, upid, `create VM ${n.vmid} (${n.hostname}) on ${pveNode}`);
      } catch (err) {
        if (!/already exists/.test((err as Error).message)) throw err;
        // The earlier attempt's create may still hold the lock: its config is read once it is done.
        const config = await settledConfig(api, pveNode, n.vmid).catch(() => ({}) as Record<string, unknown>);
        const owner = ownerOf(typeof config.description === 'string' ? config.description : undefined);
        if (owner?.deployment === this.t.name && owner.node === n.hostname) return;
        throw new UserError(
          `VMID ${n.vmid} (for ${n.hostname}) was taken on ${pveNode} by another VM while kubedos was creating it`,
          'give the node a free VMID; nothing of the other VM was touched',
        );
      }
    });
  }

  async boot(): Promise<void> {
    for (const n of this.nodes()) {
      const pveNode = this.pveOf(n.hostname);
      const s = await this.o.api.get<{ status: string }>(vmPath(pveNode, n.vmid, '/status/current'));
      const report = this.reports.get(n.hostname);
      const state: BootState = { phase: 'starting', restarts: 0 };
      this.boots.set(n.hostname, state);
      if (s.status !== 'running') {
        if (this.o.dryRun) continue;
        await this.start(pveNode, n);
        if (report) report.boot = 'started';
      }
    }
    // A failure of the supervisor (a refused token, a VM gone) ends the wait with its reason.
    if (!this.o.dryRun)
      this.supervisor = this.supervise().catch((err: Error) => {
        this.failed ??= err.message;
      });
  }

  private async start(pveNode: string, n: TopologyNode): Promise<void> {
    const upid = await this.o.api.task('POST', vmPath(pveNode, n.vmid, '/status/start'));
    await this.o.api.waitTask(pveNode, upid, `start VM ${n.vmid} (${n.hostname})`);
    this.o.say(`${n.hostname} started`);
  }

  /**
   * Keeps every VM going until it runs its installed system: the installer
   * powers the VM off when it is done, so a stopped VM whose installer said
   * "installed" is started again (it boots its disk); one whose installer
   * refused or failed ends the deploy with the installer's words.
   */
  private async supervise(): Promise<void> {
    const pause = this.o.bootPollMs ?? 2000;
    while (!this.stopping) {
      // Every VM at once: a check waits on its guest agent (seconds while a VM boots), not on the others'.
      await Promise.all(
        this.nodes().map(async (n) => {
          const state = this.boots.get(n.hostname)!;
          if (state.phase === 'booted' || state.phase === 'failed' || this.stopping) return;
          try {
            await this.check(n, state);
          } catch (err) {
            if (!isTransient(err) && !(err instanceof ProxmoxApiError)) throw err;
          }
        }),
      );
      if ([...this.boots.values()].every((b) => b.phase === 'booted')) return;
      await sleep(pause);
    }
  }

  private async check(n: TopologyNode, state: BootState): Promise<void> {
    const pveNode = this.pveOf(n.hostname);
    const report = this.reports.get(n.hostname);
    const s = await this.o.api.get<{ status: string }>(vmPath(pveNode, n.vmid, '/status/current'));
    if (s.status === 'running') {
      const guest = new ProxmoxGuest(this.o.api, pveNode, n.vmid);
      const installed = await guest.readFile(NODE_PATHS.installedMarker);
      if (installed?.trim() === `${this.t.name} ${n.hostname}`) {
        state.phase = 'booted';
        if (report) report.boot = 'booted';
        this.o.say(`${n.hostname} runs its installed system`);
        return;
      }
      const install = parseInstallStatus((await guest.readFile(INSTALL_STATUS_FILE)) ?? '');
      if (install && describeInstall(install) !== state.install) {
        state.install = describeInstall(install);
        state.ended = installEnded(install) ? install.phase : undefined;
        state.phase = 'installing';
        if (report) report.boot = state.install;
        this.o.say(`${n.hostname} installer: ${state.install}`);
      }
      // The installer waits (20 s at most) for its final word to be read before it powers off.
      if (state.ended) await guest.exec(['touch', INSTALL_STATUS_SEEN]).catch(() => undefined);
      return;
    }
    if (state.ended === 'refused' || state.ended === 'failed') {
      state.phase = 'failed';
      this.failed ??= `${n.hostname}: the installer ${state.install}`;
      return;
    }
    if (state.restarts >= 3) {
      state.phase = 'failed';
      this.failed ??= `${n.hostname} stopped ${state.restarts + 1} times without running its system (last installer status: ${state.install ?? 'none seen'})`;
      return;
    }
    state.restarts++;
    this.o.say(`${n.hostname} powered off${state.install ? ` after "${state.install}"` : ''}: starting it again`);
    await this.start(pveNode, n);
  }

  async hub(): Promise<HubControl> {
    const master = masterNode(this.t);
    const pveNode = this.pveOf(master.hostname);
    const guest = new ProxmoxGuest(this.o.api, pveNode, master.vmid);
    await pollUntil({
      what: 'the hub on the master',
      probe: async () => {
        const booted = this.boots.get(master.hostname)?.phase === 'booted' || !this.boots.has(master.hostname);
        return booted ? guestHubReady(guest) : undefined;
      },
      probeErrorsEnd: true,
      everyMs: this.o.bootPollMs ?? 2000,
      withinMs: 45 * 60_000,
      signal: this.o.signal,
      stopped: () => this.failed,
      late: () =>
        new UserError(
          'the hub on the master did not answer within 45 minutes',
          'see the master VM console (qm terminal)',
        ),
    });
    this.o.say('the hub answers on the master');
    return guestHubControl(guest);
  }

  /** Detaches the media of enrolled nodes and deletes their seeds (the credential in a seed is spent once used). */
  async enrolled(nodes: string[]): Promise<void> {
    if (this.o.dryRun) return;
    const view = await readCluster(this.o.api, this.t);
    for (const n of this.nodes().filter((x) => nodes.includes(x.hostname))) {
      const vm = view.vms.get(n.vmid);
      if (!vm || !isOurs(vm, this.t.name, n.hostname)) continue;
      const media = ['ide2', 'ide3'].filter((k) => vm.config[k] !== undefined);
      if (media.length) {
        await this.o.api.call('PUT', vmPath(vm.node, n.vmid, '/config'), {
          delete: media.join(','),
          boot: 'order=scsi0',
        });
        const report = this.reports.get(n.hostname);
        if (report) report.media = 'detached';
        this.o.say(`${n.hostname}: media detached`);
      }
    }
    await this.collectMedia();
  }

  /** Deletes this deployment's media that no VM refers to, except the platform ISO still to be installed from. */
  async collectMedia(opts: { all?: boolean } = {}): Promise<string[]> {
    const view = await readCluster(this.o.api, this.t);
    const referenced = new Set<string>();
    for (const vm of view.vms.values())
      for (const k of ['ide2', 'ide3']) {
        const v = vm.config[k];
        if (typeof v === 'string') referenced.add(v.split(',')[0]!);
      }
    const keep = new Set<string>();
    if (!opts.all && this.media) keep.add(volumeId(this.t, platformIsoName(this.t, this.media.iso)));
    const pves = [...new Set(this.t.proxmox.nodes.filter((p) => view.online.includes(p)))];
    const store = await readIsoStore(this.o.api, this.t, pves);
    const deleted: string[] = [];
    for (const [writer, vols] of store.present)
      for (const volid of [...vols.keys()])
        if (isOurMedia(this.t, volid) && !referenced.has(volid) && !keep.has(volid)) {
          await deleteMedia(this.o.api, this.t, store, writer, volid);
          deleted.push(volid);
          this.o.say(`deleted ${volid} from ${writer}`);
        }
    return deleted;
  }

  /**
   * On every way out of a deploy: the seeds of this run's nodes still on the ISO storage (nodes that did not enroll)
   * are deleted. A VM part way through its install keeps reading the file it has open; the next deploy uploads the
   * seed again before it starts a VM.
   */
  async withdrawSeeds(): Promise<string[]> {
    if (this.o.dryRun || !this.store) return [];
    const prefixes = this.nodes().map((n) => volumeId(this.t, seedPrefix(this.t, n.hostname)));
    const pves = [...new Set(this.nodes().map((n) => this.pveOf(n.hostname)))];
    const store = await readIsoStore(this.o.api, this.t, pves);
    const taken: string[] = [];
    for (const [writer, vols] of store.present)
      for (const volid of [...vols.keys()])
        if (prefixes.some((p) => volid.startsWith(p))) {
          await deleteMedia(this.o.api, this.t, store, writer, volid);
          taken.push(volid);
        }
    return taken;
  }

  /** Stops (a stop task) and purges one of this deployment's VMs, with its disks. */
  async removeVm(vm: { vmid: number; node: string; status: string; name: string }): Promise<void> {
    if (this.o.dryRun) return;
    const api = this.o.api;
    const current = await api.get<{ status: string }>(vmPath(vm.node, vm.vmid, '/status/current'));
    if (current.status !== 'stopped') {
      const upid = await api.task('POST', vmPath(vm.node, vm.vmid, '/status/stop'));
      await api.waitTask(vm.node, upid, `stop VM ${vm.vmid} (${vm.name})`);
    }
    const upid = await api.task('DELETE', vmPath(vm.node, vm.vmid), {
      purge: true,
      'destroy-unreferenced-disks': true,
    });
    await api.waitTask(vm.node, upid, `destroy VM ${vm.vmid} (${vm.name})`);
    this.view?.vms.delete(vm.vmid);
    this.o.say(`${vm.name} (${vm.node}/${vm.vmid}) destroyed`);
  }

  failure(): string | undefined {
    return this.failed;
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.supervisor?.catch(() => undefined);
  }
}
