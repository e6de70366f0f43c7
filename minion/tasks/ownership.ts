import fs from 'node:fs';
import { underRoot } from './paths.ts';
import { StateError, type StateContext } from './state-context.ts';

/** Looks a user or group up in the root's own database (/etc/passwd, /etc/group under root). */
function lookup(root: string, db: 'passwd' | 'group', name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  let text: string;
  try {
    text = fs.readFileSync(underRoot(root, `/etc/${db}`), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined) return Number(f[2]);
  }
  return undefined;
}

export interface Ownership {
  uid: number;
  gid: number;
}

/**
 * The uid/gid a state asks for, or undefined where it asks for none. A name
 * unknown under the root fails the state, except in the sim, where the
 * users packages would have created do not exist: there the chown is recorded.
 */
export async function wantedOwnership(ctx: StateContext, owner: string, group: string): Promise<Partial<Ownership>> {
  const out: Partial<Ownership> = {};
  for (const [name, db, key] of [
    [owner, 'passwd', 'uid'],
    [group, 'group', 'gid'],
  ] as const) {
    if (!name) continue;
    const id = lookup(ctx.root, db, name);
    if (id !== undefined) out[key] = id;
    else if (!ctx.recordCommands)
      throw new StateError(`no ${db === 'passwd' ? 'user' : 'group'} "${name}" on this node`);
  }
  return out;
}

/** Does the file's ownership differ from what is wanted? */
export function ownershipDiffers(stat: fs.Stats, want: Partial<Ownership>): boolean {
  return (want.uid !== undefined && stat.uid !== want.uid) || (want.gid !== undefined && stat.gid !== want.gid);
}

export function applyOwnership(file: string, stat: fs.Stats, want: Partial<Ownership>): void {
  if (ownershipDiffers(stat, want)) fs.chownSync(file, want.uid ?? stat.uid, want.gid ?? stat.gid);
}

/** In the sim, an owner that would exist on the real node is recorded so the journal shows it. */
export async function recordUnresolvedOwner(
  ctx: StateContext,
  nodePath: string,
  owner: string,
  group: string,
): Promise<void> {
  if (!ctx.recordCommands || (!owner && !group)) return;
  const want = await wantedOwnership(ctx, owner, group);
  if ((owner && want.uid === undefined) || (group && want.gid === undefined)) {
    await ctx.host.run(['chown', `${owner}${group ? `:${group}` : ''}`, nodePath]);
  }
}
