import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EtcdMemberState__Output } from '../../proto/gen/kubedos/v1/EtcdMemberState.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { underRoot } from './paths.ts';
import { changed, StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

interface Member {
  ID: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
}

/** A listing is a read; a membership change waits for the cluster to agree on it, which takes longer under load. */
const LIST_TIMEOUT_MS = 3_000;
const CHANGE_TIMEOUT_MS = 15_000;

/** One call to etcd's JSON gateway (the v3 API over HTTPS, etcd 3.4 and later) with mutual TLS. */
function gateway(endpoint: string, call: string, body: object, tls: { ca: Buffer; cert: Buffer; key: Buffer }) {
  const timeoutMs = call === 'list' ? LIST_TIMEOUT_MS : CHANGE_TIMEOUT_MS;
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const req = https.request(
      new URL(`/v3/cluster/member/${call}`, endpoint),
      { method: 'POST', timeout: timeoutMs, ...tls, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${endpoint} ${call}: HTTP ${res.statusCode} ${text}`));
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch {
            reject(new Error(`${endpoint} ${call}: not JSON`));
          }
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error(`${endpoint} ${call}: no answer in ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The first member that answers a membership listing (linearizable: only a cluster with a leader answers). */
async function askCluster(
  s: EtcdMemberState__Output,
  tls: { ca: Buffer; cert: Buffer; key: Buffer },
): Promise<{ endpoint: string; members: Member[] } | { errors: string[] }> {
  const errors: string[] = [];
  for (const endpoint of s.endpoints) {
    try {
      const r = await gateway(endpoint, 'list', { linearizable: true }, tls);
      return { endpoint, members: (r.members ?? []) as Member[] };
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { errors };
}

/**
 * The join file: "existing", and the cluster as it is now (etcd refuses to
 * join when its initial cluster counts other members than the live one,
 * as after a restore, when the members join one by one). Written as
 * `etcdctl member add` prints it: a member not yet started has no name.
 */
function joinEnv(members: Member[], s: EtcdMemberState__Output): string {
  const cluster = members.flatMap((m) =>
    (m.peerURLs ?? []).map((u) => `${m.peerURLs?.includes(s.peerUrl) ? s.name : (m.name ?? '')}=${u}`),
  );
  return `ETCD_INITIAL_CLUSTER_STATE="existing"\nETCD_INITIAL_CLUSTER="${cluster.join(',')}"\n`;
}

/**
 * Joins or bootstraps, from local facts and live membership (Talos decides
 * the same way): data present means restart as is; no data and a cluster
 * that answers means remove the stale member of this name, add this one,
 * and start as "existing"; no data and no cluster (first bootstrap) means
 * start with the others as "new", as the env file says.
 */
export async function etcdMemberState(s: EtcdMemberState__Output, ctx: StateContext): Promise<StateOutcome> {
  const dataDir = underRoot(ctx.root, s.dataDir);
  if (fs.existsSync(path.join(dataDir, 'member'))) return unchanged(`${s.name} has its data: restarts as it is`);
  const joinFile = underRoot(ctx.root, s.joinEnvFile);
  const read = (f: string) => fs.readFileSync(underRoot(ctx.root, f));
  const tls = { ca: read(s.caFile), cert: read(s.certFile), key: read(s.keyFile) };
  const deadline = Date.now() + (s.deadlineMs || 120_000);
  // Stale members this attempt removed: a removal whose answer was lost is found done on the next listing.
  const removed = new Set<string>();
  for (;;) {
    const answer = await askCluster(s, tls);
    if ('members' in answer) {
      const members = answer.members;
      // A member that never started has no client URLs (an initial-cluster member has its name already).
      const started = (m: Member) => (m.clientURLs ?? []).length > 0;
      const mine = members.filter((m) => m.name === s.name || m.peerURLs?.includes(s.peerUrl));
      const pending = mine.find((m) => !started(m) && m.peerURLs?.includes(s.peerUrl));
      if (pending) {
        // In the initial cluster, or added by an earlier attempt: start it (as existing once the cluster is).
        if (ctx.dryRun) return unchanged(`${s.name} is a member not yet started`);
        if (s.bootstrapped) writeFileAtomic(joinFile, joinEnv(members, s));
        return unchanged(`${s.name} is a member not yet started (id ${pending.ID})`);
      }
      if (!s.bootstrapped) {
        // Before the hub has ever seen the cluster healthy nothing is removed: this is a bootstrap, not a repair.
        throw new StateError(
          mine.length === 0
            ? `the etcd cluster at ${answer.endpoint} does not list ${s.name}`
            : `the etcd cluster at ${answer.endpoint} lists a started ${s.name}, but this node has no data and the cluster was never healthy: not removing it`,
          mine.length === 0,
        );
      }
      if (ctx.dryRun) return changed(`would replace stale member ${s.name} and join as existing`);
      // Killed between these, a rerun finds no stale member (it adds) or a pending one (it starts): both safe.
      const call = (what: string, body: object) =>
        gateway(answer.endpoint, what, body, tls).catch((err: Error) => {
          throw new StateError(`etcd member ${what} failed: ${err.message}`, true);
        });
      let added: Record<string, unknown>;
      try {
        for (const stale of mine) {
          removed.add(stale.ID);
          await call('remove', { ID: stale.ID });
        }
        added = await call('add', { peerURLs: [s.peerUrl] });
      } catch (err) {
        // etcd refuses an add until the members it has are started and connected (a cluster growing one by one);
        // a change may also time out under load and be found done, or not, on the next listing.
        if (Date.now() > deadline || ctx.signal.aborted) throw err;
        ctx.log(`${(err as Error).message}; asking again`);
        await delay(2_000, undefined, { signal: ctx.signal }).catch(() => undefined);
        continue;
      }
      const now = (added.members as Member[] | undefined) ?? [
        ...members.filter((m) => !mine.includes(m)),
        { ID: '', peerURLs: [s.peerUrl] },
      ];
      writeFileAtomic(joinFile, joinEnv(now, s));
      const id = (added.member as Member | undefined)?.ID ?? '?';
      return changed(
        `${removed.size ? `removed stale member ${[...removed].join(', ')}; ` : ''}added ${s.name} (id ${id}) at ${s.peerUrl}; joins as existing`,
      );
    }
    if (!s.bootstrapped) return unchanged(`no etcd member answers yet: ${s.name} bootstraps with the others`);
    if (Date.now() > deadline) {
      throw new StateError(
        `${s.name} has no data and no member of its cluster answers, so it can neither rejoin nor bootstrap: ${answer.errors.join('; ')}`,
      );
    }
    await delay(2_000, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) throw new StateError('cancelled');
  }
}
