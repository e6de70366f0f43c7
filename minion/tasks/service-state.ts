import type { ServiceState__Output } from '../../proto/gen/kubedos/v1/ServiceState.ts';
import { changedSinceRestart, clearChanged } from './change-markers.ts';
import { checkOutcome } from './fail-on-exit.ts';
import type { UnitAction } from './host.ts';
import { changed, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/**
 * A systemd unit: masked, or enabled/running as asked, and restarted when a
 * file it depends on changed since its last restart (see change-markers).
 */
export async function serviceState(s: ServiceState__Output, ctx: StateContext): Promise<StateOutcome> {
  const now = await ctx.host.unitStatus(s.unit);
  const stale = changedSinceRestart(ctx.root, s.restartOnChange);
  const actions: UnitAction[] = [];
  // A changed unit file or drop-in means nothing until systemd rereads it.
  if (stale.some((p) => p.startsWith('/etc/systemd/system/'))) actions.push('daemon-reload');
  if (s.masked) {
    if (now.active) actions.push('stop');
    if (!now.masked) actions.push('mask');
  } else {
    if (now.masked) actions.push('unmask');
    if (s.enabled !== now.enabled || now.masked) actions.push(s.enabled ? 'enable' : 'disable');
    if (s.running && (!now.active || now.masked)) actions.push('start');
    else if (s.running && stale.length) actions.push('restart');
    if (!s.running && now.active) actions.push('stop');
  }
  // Enabled and being started by systemd itself (a node that just booted): wait for that start, change nothing.
  if (actions.length === 1 && actions[0] === 'start' && now.starting && now.enabled === s.enabled && !ctx.dryRun) {
    checkOutcome(ctx, `systemctl start ${s.unit}`, await ctx.host.unitAction(s.unit, 'start'));
    clearChanged(ctx.root, stale);
    return unchanged(`${s.unit} was starting (boot); now running`);
  }
  if (actions.length === 0) {
    // Running as asked; a marker left for a unit that is not meant to run is spent.
    if (!ctx.dryRun && stale.length) clearChanged(ctx.root, stale);
    return unchanged(`${s.unit} as wanted`);
  }
  const summary = `${s.unit}: ${actions.join(', ')}`;
  if (ctx.dryRun) return changed(`would ${summary}`);
  for (const a of actions) checkOutcome(ctx, `systemctl ${a} ${s.unit}`, await ctx.host.unitAction(s.unit, a));
  clearChanged(ctx.root, stale);
  return changed(summary);
}
