import type { PackagesState__Output } from '../../proto/gen/kubedos/v1/PackagesState.ts';
import { checkOutcome } from './fail-on-exit.ts';
import { changed, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/** apt packages at pinned versions (empty version: any), optionally held. */
export async function packagesState(s: PackagesState__Output, ctx: StateContext): Promise<StateOutcome> {
  // A dpkg stopped mid-way (power lost during an install) makes every apt-get fail until it is finished.
  const repair = await ctx.host.dpkgInterrupted();
  if (repair) {
    if (ctx.dryRun) return changed('would repair an interrupted dpkg (dpkg --configure -a) first');
    ctx.log('dpkg was interrupted (an install stopped mid-way): repairing it with dpkg --configure -a');
    checkOutcome(ctx, 'dpkg --configure -a', await ctx.host.repairDpkg(ctx.signal));
  }
  const repaired = repair ? ['repaired an interrupted dpkg (dpkg --configure -a)'] : [];
  const toInstall: { name: string; version: string }[] = [];
  const toHold: string[] = [];
  for (const p of s.packages) {
    const have = await ctx.host.installedPackage(p.name);
    if (!have || (p.version && have.version !== p.version)) toInstall.push({ name: p.name, version: p.version });
    if (p.hold && !have?.held) toHold.push(p.name);
  }
  if (toInstall.length === 0 && toHold.length === 0) {
    if (repair) return changed([...repaired, `${s.packages.length} package(s) in place`].join('; '));
    return unchanged(`${s.packages.length} package(s) in place`);
  }
  const parts = [
    ...repaired,
    ...(toInstall.length
      ? [`install ${toInstall.map((p) => (p.version ? `${p.name}=${p.version}` : p.name)).join(' ')}`]
      : []),
    ...(toHold.length ? [`hold ${toHold.join(' ')}`] : []),
  ];
  if (ctx.dryRun) return changed(`would ${parts.join('; ')}`);
  if (toInstall.length) checkOutcome(ctx, 'apt-get install', await ctx.host.installPackages(toInstall, ctx.signal));
  if (toHold.length) checkOutcome(ctx, 'apt-mark hold', await ctx.host.holdPackages(toHold));
  return changed(parts.join('; '));
}
