import type { StateContext } from './state-context.ts';

/**
 * The program for etcd's offline snapshot work (status, restore): etcdutl,
 * which etcd 3.5 added and 3.6 made the only one (etcdctl lost both
 * subcommands); etcdctl on a member whose etcd predates etcdutl (3.4).
 * The arguments are the same for both.
 */
export async function etcdOfflineTool(ctx: Pick<StateContext, 'host' | 'signal'>): Promise<string> {
  const r = await ctx.host.run(['etcdutl', 'version'], { signal: ctx.signal });
  return r.exitCode === 0 ? 'etcdutl' : 'etcdctl';
}
