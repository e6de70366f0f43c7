import { runPipeline, stageToReach, type DeployStage, type PipelineResult, type Substrate } from './pipeline.ts';
import { sayFor, type LocalUpOptions } from './up-options.ts';

/** A substrate `kubedos up` runs on this host: the pipeline's part, its build, and how it is taken down. */
export interface LocalSubstrate<Media> extends Substrate<Media> {
  /** The last stage its nodes reach. */
  readonly lastStage: DeployStage;
  /** The build stage: what its nodes start from (secrets, the platform image, the ISO and seeds). */
  build(): Promise<Media>;
  /** Removes everything it made on this host (what `kubedos down` does). */
  teardown(): Promise<void>;
}

/**
 * `kubedos up` on a local substrate: the deploy pipeline to the stage
 * asked for; on any failure (or ^C) everything made is taken down again,
 * so no half-made deployment is left behind.
 */
export async function deployHere<Media>(
  lab: LocalSubstrate<Media>,
  opts: LocalUpOptions,
  startedAt: number,
): Promise<PipelineResult> {
  try {
    return await runPipeline(lab, {
      until: stageToReach(opts, lab),
      build: () => lab.build(),
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      windowTtlMs: opts.windowTtlMs,
      startedAt,
      ...(opts.quiet ? { quiet: true } : {}),
      say: sayFor(opts),
    });
  } catch (err) {
    await lab.teardown();
    throw err;
  }
}
