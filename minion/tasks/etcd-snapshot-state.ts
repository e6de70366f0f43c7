import fs from 'node:fs';
import path from 'node:path';
import type { EtcdSnapshotState__Output } from '../../proto/gen/kubedos/v1/EtcdSnapshotState.ts';
import { tailOf } from '../../shared/tasks/output-tail.ts';
import { etcdOfflineTool } from './etcd-offline-tool.ts';
import { underRoot } from './paths.ts';
import { changed, StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/** What the directory holds of ours: names sort by the time in them, so the oldest come first. */
export const SNAPSHOT_FILE = /^etcd-[0-9TZ]+\.db$/;

interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

/** `etcdutl snapshot status` (`etcdctl` before etcd 3.5): the file is a whole, readable snapshot. */
async function readStatus(file: string, ctx: StateContext): Promise<SnapshotStatus> {
  const r = await ctx.host.run([await etcdOfflineTool(ctx), 'snapshot', 'status', file, '-w', 'json'], {
    env: { ETCDCTL_API: '3' },
    signal: ctx.signal,
  });
  const json = r.output.split('\n').find((l) => l.trim().startsWith('{'));
  if (r.exitCode !== 0 || !json) throw new StateError(`the snapshot does not verify: ${tailOf(r.output, 400)}`, true);
  return JSON.parse(json) as SnapshotStatus;
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Takes a snapshot through this member into a `.part` file, verifies it,
 * makes it 0600 (it holds every secret in the cluster), syncs it and
 * renames it into place; then removes the oldest beyond `keep`. Killed at
 * any line, a rerun finds either the finished file (nothing to do) or a
 * `.part` (thrown away and taken again).
 */
export async function etcdSnapshotState(s: EtcdSnapshotState__Output, ctx: StateContext): Promise<StateOutcome> {
  if (!SNAPSHOT_FILE.test(s.fileName)) throw new StateError(`not a snapshot file name: ${s.fileName}`, false);
  const dir = underRoot(ctx.root, s.dir);
  const target = path.join(dir, s.fileName);
  if (fs.existsSync(target)) return unchanged(`${path.posix.join(s.dir, s.fileName)} was taken already`);
  if (ctx.dryRun) return changed(`would save an etcd snapshot to ${path.posix.join(s.dir, s.fileName)}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.db.part')) fs.rmSync(path.join(dir, f), { force: true });
  const part = `${target}.part`;
  const tls = ['--cacert', s.caFile, '--cert', s.certFile, '--key', s.keyFile].map((v, i) =>
    i % 2 ? underRoot(ctx.root, v) : v,
  );
  const save = await ctx.host.run(['etcdctl', '--endpoints', s.endpoint, ...tls, 'snapshot', 'save', part], {
    env: { ETCDCTL_API: '3' },
    signal: ctx.signal,
  });
  ctx.tail.append(save.output);
  if (save.exitCode !== 0) {
    fs.rmSync(part, { force: true });
    throw new StateError(`etcdctl snapshot save through ${s.endpoint} failed: ${tailOf(save.output, 400)}`, true);
  }
  fs.chmodSync(part, 0o600);
  const status = await readStatus(part, ctx);
  fsyncPath(part);
  fs.renameSync(part, target);
  fsyncPath(dir);
  const ours = fs
    .readdirSync(dir)
    .filter((f) => SNAPSHOT_FILE.test(f))
    .sort();
  const removed = ours.slice(0, Math.max(0, ours.length - Math.max(1, s.keep)));
  for (const f of removed) fs.rmSync(path.join(dir, f), { force: true });
  return changed(
    `saved ${path.posix.join(s.dir, s.fileName)}: ${status.totalSize} bytes, revision ${status.revision}, ` +
      `${status.totalKey} keys, hash ${status.hash}; ${ours.length - removed.length} kept` +
      (removed.length ? `, removed ${removed.join(', ')}` : ''),
  );
}
