import type { DatabaseSync } from 'node:sqlite';
import type { Topology } from '../../shared/topology/model.ts';
import { topologyWithStoredAddresses } from '../ipam/stored-topology.ts';
import { buildPlan } from '../plan/build-plan.ts';
import { ensurePlanMaterial, type PlanOptions } from '../plan/material.ts';
import type { Plan } from '../plan/model.ts';
import { etcdBootstrapped, kubernetesMembers } from './cluster-state.ts';
import { ConvergeEngine, type EngineOptions, type RunSummary } from './engine.ts';
import { databaseStores } from './run-records.ts';
import type { NodeChannel } from './node-channel.ts';
import { UserError } from '../../shared/errors.ts';
import { etcdBackupPlan, etcdRestorePlan, snapshotFileName } from '../plan/etcd-recovery.ts';
import { etcdMembers } from '../plan/render/etcd-env.ts';
import { etcdBackups, type EtcdBackupRecord } from './etcd-backups.ts';
import { convergeStatus, planView, taskLogs, type ConvergeStatus, type PlanView, type TaskLog } from './views.ts';

export interface ConvergeServiceOptions {
  db: DatabaseSync;
  channel: NodeChannel;
  topology: Topology;
  /** The hub's state dir: the CAs and issued certificates live under <hubStateDir>/pki. */
  hubStateDir: string;
  /** Read at each plan: what the darksite carries and the nodes' facts can change between runs. */
  plan?: () => PlanOptions | Promise<PlanOptions>;
  engine?: EngineOptions;
}

/**
 * What the hub exposes of convergence, one method per operator verb:
 * hubctl plan / converge [--dry-run] / status / logs / rerun, and
 * `kubedos up` after enrollment. The Admin RPCs call these.
 */
export class ConvergeService {
  readonly engine: ConvergeEngine;
  private readonly opts: ConvergeServiceOptions;
  private backupRunId: number | undefined;

  constructor(opts: ConvergeServiceOptions) {
    this.opts = opts;
    this.engine = new ConvergeEngine(databaseStores(opts.db), opts.channel, opts.engine);
    // A hub that was killed mid-run picks the run up where it stopped.
    this.engine.resume();
  }

  async plan(): Promise<Plan> {
    // Addresses as allocated, not as the topology file says now (a later edit never moves them).
    const t = topologyWithStoredAddresses(this.opts.db, this.opts.topology);
    return buildPlan(t, await ensurePlanMaterial(this.opts.hubStateDir, t), {
      etcdBootstrapped: etcdBootstrapped(this.opts.db),
      kubernetesMembers: kubernetesMembers(this.opts.db),
      ...(await this.opts.plan?.()),
    });
  }

  async planView(): Promise<PlanView> {
    return planView(await this.plan());
  }

  /** Starts a run and returns its id at once; `wait` resolves with the outcome. */
  async startConvergence(opts: { dryRun?: boolean } = {}): Promise<{ runId: number; wait: Promise<RunSummary> }> {
    // A backup run is short and bounded: a convergence asked for meanwhile waits for it instead of being refused.
    const running = this.engine.latestRun();
    if (running?.state === 'running' && running.id === this.backupRunId) await this.engine.waitForRun(running.id);
    const runId = this.engine.start(await this.plan(), opts);
    return { runId, wait: this.engine.waitForRun(runId) };
  }

  /** Takes an etcd snapshot now, through the first etcd member that is connected. */
  startEtcdBackup(now = Date.now()): { runId: number; node: string; path: string; wait: Promise<RunSummary> } {
    const t = topologyWithStoredAddresses(this.opts.db, this.opts.topology);
    const members = etcdMembers(t);
    if (members.length === 0) throw new UserError('this deployment has no etcd members');
    if (!etcdBootstrapped(this.opts.db))
      throw new UserError('the etcd cluster has never passed its health gate', 'converge first: hubctl converge');
    const member = members.find((m) => this.opts.channel.isConnected(m.hostname));
    if (!member) throw new UserError('no etcd member is connected', 'see `hubctl status`');
    const plan = etcdBackupPlan(t, member.hostname, snapshotFileName(now));
    const runId = this.engine.start(plan);
    this.backupRunId = runId;
    const snap = plan.tasks[0]!.states[0]!.etcdSnapshot!;
    return { runId, node: member.hostname, path: `${snap.dir}/${snap.fileName}`, wait: this.engine.waitForRun(runId) };
  }

  etcdBackups(): EtcdBackupRecord[] {
    return etcdBackups(this.opts.db);
  }

  /** Brings the etcd cluster back from a backup the hub lists; every member must be connected. */
  async startEtcdRestore(
    name: string,
    now = Date.now(),
  ): Promise<{ runId: number; node: string; restoreId: string; wait: Promise<RunSummary> }> {
    const backup = this.etcdBackups().find((b) => b.name === name);
    if (!backup) throw new UserError(`no etcd backup is named "${name}"`, 'see `hubctl etcd backups`');
    const t = topologyWithStoredAddresses(this.opts.db, this.opts.topology);
    const offline = etcdMembers(t)
      .map((m) => m.hostname)
      .filter((n) => !this.opts.channel.isConnected(n));
    if (offline.length)
      throw new UserError(
        `a restore needs every etcd member, and ${offline.join(', ')} ${offline.length > 1 ? 'are' : 'is'} not connected`,
        offline.includes(backup.node) ? `${backup.node} holds ${name}` : 'see `hubctl status`',
      );
    const restoreId = `r${now.toString(36)}`;
    const material = await ensurePlanMaterial(this.opts.hubStateDir, t);
    const runId = this.engine.start(
      etcdRestorePlan(t, material, { node: backup.node, snapshot: backup.path }, restoreId),
    );
    return { runId, node: backup.node, restoreId, wait: this.engine.waitForRun(runId) };
  }

  status(runId?: number): ConvergeStatus | undefined {
    const s = convergeStatus(this.opts.db, runId);
    // What the engine holds back is known to it alone: said beside each node's progress while the run goes.
    if (s?.state === 'running')
      for (const n of s.nodes) {
        const held = this.engine.heldReason(n.node);
        if (held) n.held = held;
      }
    return s;
  }

  logs(node: string, task?: string): TaskLog[] {
    return taskLogs(this.opts.db, node, task);
  }

  /** In the run status shows (a finished backup run after it does not count). */
  rerun(target: string): string[] {
    return this.engine.rerun(target, convergeStatus(this.opts.db)?.runId);
  }

  cancel(reason?: string): { runId: number; cancelled: number } | undefined {
    return this.engine.cancel(reason || undefined);
  }

  close(): void {
    this.engine.close();
  }
}
