import type { KernelModuleState__Output } from '../../proto/gen/kubedos/v1/KernelModuleState.ts';
import { persistFile } from './file-state.ts';
import { checkOutcome } from './fail-on-exit.ts';
import { changed, skipped, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/** A loaded kernel module, and (persist) a modules-load.d entry so it loads at boot. */
export async function kernelModuleState(s: KernelModuleState__Output, ctx: StateContext): Promise<StateOutcome> {
  const parts: string[] = [];
  if (s.persist) {
    const f = await persistFile(ctx, `/etc/modules-load.d/kubedos-${s.name}.conf`, `${s.name}\n`);
    if (f.changed) parts.push(f.summary);
  }
  if (!(await ctx.host.moduleLoaded(s.name)) && ctx.host.container) {
    parts.push(
      `${s.name} is not loaded, and in a container (${ctx.host.container}) kernel modules are the host's to load`,
    );
    return skipped(parts.join('; '));
  }
  if (!(await ctx.host.moduleLoaded(s.name))) {
    if (!ctx.dryRun) checkOutcome(ctx, `modprobe ${s.name}`, await ctx.host.loadModule(s.name));
    parts.push(`${ctx.dryRun ? 'would load' : 'loaded'} ${s.name}`);
  }
  return parts.length ? changed(parts.join('; ')) : unchanged(`${s.name} loaded`);
}
