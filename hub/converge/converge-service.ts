import type { DatabaseSync } from 'node:sqlite';
import type { Topology } from '../../shared/topology/model.ts';
import { topologyWithStoredAddresses } from '../ipam/stored-topology.ts';
import { buildPlan } from '../plan/build-plan.ts';
import { ensurePlanMaterial, type PlanOptions } from '../plan/material.ts';
import type { Plan } from '../plan/model.ts';
import { etcdBootstrapped, kubernetesMembers } from './cluster-state.ts';
import { ConvergeEngine, type EngineOptions, type RunSummary } from './engine.ts';
import type { NodeChannel } from './node-channel.ts';
import { convergeStatus, planView, taskLogs, type ConvergeStatus, type PlanView, type TaskLog } from './views.ts';

export interface ConvergeServiceOptions {
  db: DatabaseSync;
  channel: NodeChannel;
  topology: Topology;
  /** The hub's state dir: the CAs and issued certificates live under <hubStateDir>/pki. */
  hubStateDir: string;
  /** Read at each plan: what the darksite carries and the nodes' facts can change between runs. */
  plan?: () => PlanOptions;
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

  constructor(opts: ConvergeServiceOptions) {
    this.opts = opts;
    this.engine = new ConvergeEngine(opts.db, opts.channel, opts.engine);
    // A hub that was killed mid-run picks the run up where it stopped.
    this.engine.resume();
  }

  async plan(): Promise<Plan> {
    // Addresses as allocated, not as the topology file says now (a later edit never moves them).
    const t = topologyWithStoredAddresses(this.opts.db, this.opts.topology);
    return buildPlan(t, await ensurePlanMaterial(this.opts.hubStateDir, t), {
      etcdBootstrapped: etcdBootstrapped(this.opts.db),
      kubernetesMembers: kubernetesMembers(this.opts.db),
      ...this.opts.plan?.(),
    });
  }

  async planView(): Promise<PlanView> {
    return planView(await this.plan());
  }

  /** Starts a run and returns its id at once; `wait` resolves with the outcome. */
  async startConvergence(opts: { dryRun?: boolean } = {}): Promise<{ runId: number; wait: Promise<RunSummary> }> {
    const runId = this.engine.start(await this.plan(), opts);
    return { runId, wait: this.engine.waitForRun(runId) };
  }

  status(): ConvergeStatus | undefined {
    return convergeStatus(this.opts.db);
  }

  logs(node: string, task?: string): TaskLog[] {
    return taskLogs(this.opts.db, node, task);
  }

  rerun(target: string): string[] {
    return this.engine.rerun(target);
  }

  cancel(reason?: string): { runId: number; cancelled: number } | undefined {
    return this.engine.cancel(reason || undefined);
  }

  close(): void {
    this.engine.close();
  }
}
