import fs from 'node:fs';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { FileState__Output } from '../../proto/gen/kubedos/v1/FileState.ts';
import { markChanged } from './change-markers.ts';
import { applyOwnership, ownershipDiffers, recordUnresolvedOwner, wantedOwnership } from './ownership.ts';
import { underRoot } from './paths.ts';
import { changed, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/** A file with exact content, mode and owner, written atomically (temp, fsync, rename). */
export async function fileState(s: FileState__Output, ctx: StateContext): Promise<StateOutcome> {
  const target = underRoot(ctx.root, s.path);
  const mode = s.mode || 0o644;
  const content = Buffer.from(s.content);
  if (s.secret && content.length < 4096) ctx.secrets.add(content.toString('utf8').trim());
  const want = await wantedOwnership(ctx, s.owner, s.group);
  const stat = fs.existsSync(target) ? fs.statSync(target) : undefined;
  const differs: string[] = [];
  if (!stat) differs.push('create');
  else {
    if (!content.equals(fs.readFileSync(target))) differs.push('content');
    if ((stat.mode & 0o7777) !== mode) differs.push(`mode ${(stat.mode & 0o7777).toString(8)}→${mode.toString(8)}`);
    if (ownershipDiffers(stat, want)) differs.push('owner');
  }
  if (differs.length === 0) return unchanged(`${s.path} up to date`);
  const summary = `${s.path}: ${differs.join(', ')}`;
  if (ctx.dryRun) return changed(`would write ${summary}`);
  if (differs.includes('create') || differs.includes('content')) {
    markChanged(ctx.root, s.path);
    writeFileAtomic(target, content, mode);
  } else fs.chmodSync(target, mode);
  applyOwnership(target, fs.statSync(target), want);
  await recordUnresolvedOwner(ctx, s.path, s.owner, s.group);
  return changed(summary);
}

/** A plain root-owned 0644 file a state keeps for the next boot (modules-load.d, sysctl.d). */
export function persistFile(ctx: StateContext, path: string, content: string): Promise<StateOutcome> {
  return fileState({ path, content: Buffer.from(content), mode: 0o644, owner: '', group: '', secret: false }, ctx);
}
