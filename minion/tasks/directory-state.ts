import fs from 'node:fs';
import path from 'node:path';
import { makeParents } from '../../shared/fs/atomic-write.ts';
import type { DirectoryState__Output } from '../../proto/gen/kubedos/v1/DirectoryState.ts';
import { applyOwnership, ownershipDiffers, recordUnresolvedOwner, wantedOwnership } from './ownership.ts';
import { underRoot } from './paths.ts';
import { changed, StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

export async function directoryState(s: DirectoryState__Output, ctx: StateContext): Promise<StateOutcome> {
  const target = underRoot(ctx.root, s.path);
  const mode = s.mode || 0o755;
  const want = await wantedOwnership(ctx, s.owner, s.group);
  const stat = fs.existsSync(target) ? fs.statSync(target) : undefined;
  if (stat && !stat.isDirectory()) throw new StateError(`${s.path} exists and is not a directory`, false);
  const differs: string[] = [];
  if (!stat) differs.push('create');
  else {
    if ((stat.mode & 0o7777) !== mode) differs.push(`mode ${(stat.mode & 0o7777).toString(8)}→${mode.toString(8)}`);
    if (ownershipDiffers(stat, want)) differs.push('owner');
  }
  if (differs.length === 0) return unchanged(`${s.path}/ up to date`);
  const summary = `${s.path}/: ${differs.join(', ')}`;
  if (ctx.dryRun) return changed(`would make ${summary}`);
  makeParents(path.dirname(target));
  fs.mkdirSync(target, { recursive: true, mode });
  fs.chmodSync(target, mode);
  applyOwnership(target, fs.statSync(target), want);
  await recordUnresolvedOwner(ctx, s.path, s.owner, s.group);
  return changed(summary);
}
