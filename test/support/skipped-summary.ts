/**
 * A mocha root hook: after the run, the tiers that were skipped and why, so
 * a skipped tier shows in the summary and not only in the middle of the log.
 */
import { skipped } from './requirements.ts';

export const mochaHooks = {
  afterAll(): void {
    if (!skipped.length) return;
    process.stdout.write(`\n  ${skipped.length} tier${skipped.length === 1 ? '' : 's'} skipped:\n`);
    for (const s of skipped) process.stdout.write(`    - ${s}\n`);
  },
};
