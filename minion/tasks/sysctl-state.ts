import type { SysctlState__Output } from '../../proto/gen/kubedos/v1/SysctlState.ts';
import { persistFile } from './file-state.ts';
import { checkOutcome } from './fail-on-exit.ts';
import { changed, skipped, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/** A kernel parameter at a value now, and (persist) in /etc/sysctl.d for the next boot. */
export async function sysctlState(s: SysctlState__Output, ctx: StateContext): Promise<StateOutcome> {
  const parts: string[] = [];
  if (s.persist) {
    const f = await persistFile(ctx, `/etc/sysctl.d/90-kubedos-${s.key}.conf`, `${s.key} = ${s.value}\n`);
    if (f.changed) parts.push(f.summary);
  }
  const now = await ctx.host.readSysctl(s.key);
  // A container has its own network namespace (net.* is its own) but shares the rest with the host.
  if (ctx.host.container && (now === undefined || !s.key.startsWith('net.'))) {
    parts.push(
      `${s.key} ${now === undefined ? 'does not exist' : 'is the host kernel’s'} in a container (${ctx.host.container}); not set`,
    );
    return skipped(parts.join('; '));
  }
  if (now?.replace(/\s+/g, ' ') !== s.value) {
    if (!ctx.dryRun) checkOutcome(ctx, `sysctl ${s.key}`, await ctx.host.writeSysctl(s.key, s.value));
    parts.push(`${ctx.dryRun ? 'would set' : 'set'} ${s.key}=${s.value} (was ${now ?? 'unset'})`);
  }
  return parts.length ? changed(parts.join('; ')) : unchanged(`${s.key}=${s.value}`);
}
