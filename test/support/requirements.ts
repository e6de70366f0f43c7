import { execFileSync } from 'node:child_process';

/**
 * Tiers that need root or system packages: outside CI they skip with the
 * reason; in CI (CI=true) a missing requirement fails the test, because
 * .ci/run installs everything and a silent skip would hide a broken tier.
 */
export function requireSystem(
  ctx: Mocha.Context,
  needs: { root?: boolean; commands?: string[]; files?: string[] },
): void {
  const missing: string[] = [];
  if (needs.root && process.getuid?.() !== 0) missing.push('root');
  for (const cmd of needs.commands ?? []) {
    try {
      execFileSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { stdio: 'ignore' });
    } catch {
      missing.push(`command ${cmd}`);
    }
  }
  for (const f of needs.files ?? []) {
    try {
      execFileSync('test', ['-e', f]);
    } catch {
      missing.push(`file ${f}`);
    }
  }
  if (missing.length === 0) return;
  const reason = `needs ${missing.join(', ')} (bash .ci/run installs them)`;
  if (isCi()) throw new Error(`CI is missing a requirement: ${reason}`);
  console.log(`      skipped: ${reason}`);
  skipped.push(`${ctx.test?.parent?.fullTitle() ?? ctx.test?.fullTitle() ?? 'a tier'}: ${reason}`);
  ctx.skip();
}

/** CI is `CI=true` (what .ci/run sets), not any value of CI. */
export function isCi(): boolean {
  return process.env.CI === 'true';
}

/** Tiers skipped in this run, with their reasons, for the summary (test/support/skipped-summary.ts). */
export const skipped: string[] = [];
