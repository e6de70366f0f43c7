import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { UserError } from '../../shared/errors.ts';
import type { RunDir } from '../toolkit/run-dir.ts';
import { followNodes } from './follow-nodes.ts';
import type { HubControl } from './hub-control.ts';
import { NodeProgressView } from './node-progress-view.ts';

/**
 * The deploy pipeline every substrate goes through: build the artifacts,
 * place them where the nodes can reach them, create the nodes, boot them,
 * wait for enrollment, converge. Each stage may be the last (`--stage`).
 * Readiness is what the hub says (enrolled, connected, converged), never a
 * power state.
 */
export const DEPLOY_STAGES = ['build', 'upload', 'stamp', 'boot', 'enroll', 'converge'] as const;
export type DeployStage = (typeof DEPLOY_STAGES)[number];

export function parseStage(s: string): DeployStage {
  if (!(DEPLOY_STAGES as readonly string[]).includes(s))
    throw new UserError(`--stage ${s} is not a stage`, `choose one of ${DEPLOY_STAGES.join(', ')}`);
  return s as DeployStage;
}

/**
 * The stage a deploy ends at: the one asked for (`--stage`; `--no-converge`
 * is `--stage enroll`), else the substrate's last. A substrate whose nodes
 * never converge (netns) refuses `--stage converge`.
 */
export function stageToReach(
  asked: { until?: DeployStage; converge?: boolean },
  substrate: { name: string; lastStage: DeployStage },
): DeployStage {
  const until = asked.until ?? (asked.converge === false ? 'enroll' : undefined);
  if (until === undefined) return substrate.lastStage;
  if (DEPLOY_STAGES.indexOf(until) > DEPLOY_STAGES.indexOf(substrate.lastStage))
    throw new UserError(
      `the ${substrate.name} substrate ends at stage ${substrate.lastStage}: it has no stage ${until}`,
      `leave --stage out, or choose one of ${DEPLOY_STAGES.slice(0, DEPLOY_STAGES.indexOf(substrate.lastStage) + 1).join(', ')}`,
    );
  return until;
}

/** A stage's seconds (PipelineResult.seconds) in whole milliseconds, for timings. */
export function millis(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/** What every substrate's `up` returns; a substrate adds only what is its own (its lab, its VMs). */
export interface Deployment {
  run: RunDir;
  /** The last stage the deploy went through (`--stage`). */
  reached: DeployStage;
  /** The hub's last word, once the nodes enrolled (and converged). */
  status?: StatusResponse__Output;
  /** Seconds from the start of `up` at which each stage ended. */
  seconds: Partial<Record<DeployStage, number>>;
  /** Stops everything the deployment runs (what `kubedos down` does). */
  stop(): Promise<void>;
}

/** What a substrate does for the pipeline; it adds only what is its own. */
export interface Substrate<Media> {
  readonly name: string;
  /** Put the media where the nodes boot from (Proxmox: upload to the ISO storage). */
  place(media: Media): Promise<void>;
  /** Create every node that is missing, fix what drifted in place. */
  stamp(media: Media): Promise<void>;
  /** Power the nodes on and keep them going through install and reboot until they run their own system. */
  boot(): Promise<void>;
  /** The hub, once it answers (on the master). */
  hub(): Promise<HubControl>;
  /** Called once the named nodes have enrolled: detach their media, delete their seeds (Proxmox). */
  enrolled?(nodes: string[]): Promise<void>;
  /** A reason to stop waiting (a node whose installer refused), checked while the pipeline waits. */
  failure?(): string | undefined;
  /** Ends background work (the boot supervisor). */
  close?(): Promise<void>;
  /**
   * Called on every way out of a deploy (done, `--stage`, a failure, ^C):
   * takes off shared storage the seeds still there (nodes that did not
   * enroll), so an unspent credential rests nowhere between deploys; the
   * next deploy places them again. What it took, by name. Only a
   * substrate whose seeds rest on shared storage has this (Proxmox).
   */
  withdrawSeeds?(): Promise<string[]>;
}

export interface PipelineOptions<Media> {
  until: DeployStage;
  build(): Promise<Media>;
  signal: AbortSignal;
  timeoutMs: number;
  windowTtlMs: number;
  quiet?: boolean;
  say(line: string): void;
  /** Poll interval of the hub's status (a Proxmox guest agent call each time). */
  pollMs?: number;
  /** The nodes the enrollment window is for (a redeploy's, and no other); default every expected node. */
  windowNodes?: string[];
  /** When the deploy started (its stages' seconds count from it); default the pipeline's own start. */
  startedAt?: number;
}

export interface PipelineResult {
  reached: DeployStage;
  status?: StatusResponse__Output;
  seconds: Partial<Record<DeployStage, number>>;
}

export async function runPipeline<Media>(
  substrate: Substrate<Media>,
  opts: PipelineOptions<Media>,
): Promise<PipelineResult> {
  const seconds: PipelineResult['seconds'] = {};
  const started = opts.startedAt ?? Date.now();
  const done = (stage: DeployStage) => {
    seconds[stage] = (Date.now() - started) / 1000;
    opts.say(`stage ${stage} done (${seconds[stage]!.toFixed(1)} s)`);
    return stage === opts.until;
  };
  const check = () => {
    if (opts.signal.aborted) throw new UserError('interrupted');
  };
  try {
    opts.say(`stage build`);
    const media = await opts.build();
    if (done('build')) return { reached: 'build', seconds };
    check();
    opts.say('stage upload');
    await substrate.place(media);
    if (done('upload')) return { reached: 'upload', seconds };
    check();
    opts.say('stage stamp');
    await substrate.stamp(media);
    if (done('stamp')) return { reached: 'stamp', seconds };
    check();
    opts.say('stage boot');
    await substrate.boot();
    if (done('boot')) return { reached: 'boot', seconds };
    check();
    opts.say('stage enroll: waiting for the hub on the master');
    const hub = await substrate.hub();
    const view = new NodeProgressView({ quiet: !!opts.quiet });
    // The substrate's own failures (an installer that refused) end the wait with their reason.
    const watch = new AbortController();
    const onAbort = () => watch.abort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const poll = setInterval(() => {
      if (substrate.failure?.()) watch.abort();
    }, 1000);
    const follow = async (runId?: number) => {
      try {
        return await followNodes(hub, view, {
          timeoutMs: opts.timeoutMs,
          signal: watch.signal,
          ...(runId !== undefined ? { runId } : {}),
          ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
        });
      } catch (err) {
        const why = substrate.failure?.();
        if (why) throw new UserError(why);
        throw err;
      }
    };
    let enrolling = false;
    try {
      await hub.openWindow(opts.windowTtlMs, opts.windowNodes);
      enrolling = true;
      let status = await follow();
      enrolling = false;
      await substrate.enrolled?.(status.nodes.map((n) => n.name));
      if (done('enroll')) return { reached: 'enroll', status, seconds };
      const runId = await hub.startConvergence();
      status = await follow(runId);
      done('converge');
      return { reached: 'converge', status, seconds };
    } catch (err) {
      // Stopped before every node enrolled (a refusal, the timeout, ^C): no window stays open behind the deploy, so
      // a seed's credential left where its node boots from admits nothing until the next deploy opens one.
      if (enrolling) await closeWindowsSaying(hub, opts.say);
      throw err;
    } finally {
      clearInterval(poll);
      opts.signal.removeEventListener('abort', onAbort);
      view.stop();
      hub.close();
    }
  } finally {
    await substrate.close?.();
    await withdrawSeedsSaying(substrate, opts.say);
  }
}

async function withdrawSeedsSaying<Media>(substrate: Substrate<Media>, say: (line: string) => void): Promise<void> {
  if (!substrate.withdrawSeeds) return;
  try {
    const taken = await substrate.withdrawSeeds();
    if (taken.length)
      say(
        `took ${taken.length} seed${taken.length === 1 ? '' : 's'} off the storage (the next deploy places them again)`,
      );
  } catch (err) {
    say(
      `could not take the seeds off the storage (kubedos down, or the next deploy's end, does): ${(err as Error).message}`,
    );
  }
}

async function closeWindowsSaying(hub: HubControl, say: (line: string) => void): Promise<void> {
  try {
    await hub.closeWindows();
    say('enrollment window closed');
  } catch (err) {
    say(`could not close the enrollment window (it closes at its TTL): ${(err as Error).message}`);
  }
}
