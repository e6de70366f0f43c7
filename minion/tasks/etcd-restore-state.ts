import fs from 'node:fs';
import path from 'node:path';
import type { EtcdRestoreState__Output } from '../../proto/gen/kubedos/v1/EtcdRestoreState.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { tailOf } from '../../shared/tasks/output-tail.ts';
import { etcdOfflineTool } from './etcd-offline-tool.ts';
import { underRoot } from './paths.ts';
import { changed, StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

/** Far more writes than a cluster makes between a backup and its restore (etcd's guide suggests 1e9). */
const RESTORE_REVISION_BUMP = 1_000_000_000;

function chownTree(p: string, uid: number, gid: number): void {
  fs.chownSync(p, uid, gid);
  if (!fs.lstatSync(p).isDirectory()) return;
  for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

/**
 * One member's part of a restore, done once per restore id (etcd must be
 * stopped: the plan stops it first). The old data dir is kept beside, as
 * `<data dir>.before-<id>`, never deleted. With a snapshot, it is restored
 * into `<data dir>.restore-<id>` as a single-member cluster and renamed into
 * place, owned as the old data dir was. Killed at any line, a rerun redoes
 * what the marker does not yet cover, and never sets aside a restored dir.
 */
export async function etcdRestoreState(s: EtcdRestoreState__Output, ctx: StateContext): Promise<StateOutcome> {
  if (!/^[A-Za-z0-9-]+$/.test(s.restoreId)) throw new StateError(`not a restore id: ${s.restoreId}`, false);
  const dataDir = underRoot(ctx.root, s.dataDir);
  const marker = `${dataDir}.restored-${s.restoreId}`;
  const aside = `${dataDir}.before-${s.restoreId}`;
  const staging = `${dataDir}.restore-${s.restoreId}`;
  if (fs.existsSync(marker)) return unchanged(`restore ${s.restoreId} is done on ${s.name}`);
  if (s.stageOnly && !s.snapshot) throw new StateError('staging a restore needs a snapshot', false);
  const what = s.stageOnly
    ? `check ${s.snapshot} by restoring it beside ${s.dataDir}`
    : s.snapshot
      ? `restore ${s.snapshot} into ${s.dataDir}`
      : `set ${s.dataDir} aside to join the restored member`;
  if (ctx.dryRun) return changed(`would ${what}`);
  const snapshot = s.snapshot ? underRoot(ctx.root, s.snapshot) : '';
  if (snapshot && !fs.existsSync(snapshot)) throw new StateError(`${s.name} has no snapshot ${s.snapshot}`, false);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o700 });
  const parent = fs.statSync(path.dirname(dataDir));
  const owner = fs.existsSync(dataDir) ? fs.statSync(dataDir) : fs.existsSync(aside) ? fs.statSync(aside) : parent;
  if (snapshot && !fs.existsSync(staging + '.complete')) {
    fs.rmSync(staging, { recursive: true, force: true });
    // The offline restore (etcdutl; etcdctl before etcd 3.5) into a new directory.
    const tool = await etcdOfflineTool(ctx);
    const r = await ctx.host.run(
      [
        tool,
        'snapshot',
        'restore',
        snapshot,
        '--name',
        s.name,
        '--initial-cluster',
        `${s.name}=${s.peerUrl}`,
        '--initial-advertise-peer-urls',
        s.peerUrl,
        '--initial-cluster-token',
        s.clusterToken,
        '--data-dir',
        staging,
        // Kubernetes on top: the restored revision must stay ahead of every revision an apiserver (or a
        // controller's watch) has seen, and marked compacted, so they list again instead of serving what
        // the restore took back. etcd's guide for Kubernetes; etcdutl only (etcdctl 3.4 has neither flag).
        ...(tool === 'etcdutl' ? ['--bump-revision', String(RESTORE_REVISION_BUMP), '--mark-compacted'] : []),
      ],
      { env: { ETCDCTL_API: '3' }, signal: ctx.signal },
    );
    ctx.tail.append(r.output);
    if (r.exitCode !== 0) throw new StateError(`${tool} snapshot restore failed: ${tailOf(r.output, 400)}`, false);
    chownTree(staging, owner.uid, owner.gid);
    fs.chmodSync(staging, 0o700);
    writeFileAtomic(staging + '.complete', `${s.snapshot}\n`);
  }
  // Staged and whole: the member's own data is untouched until the restore proper, after etcd is stopped.
  if (s.stageOnly) return changed(`${s.snapshot} restored whole beside ${s.dataDir}, ready for restore ${s.restoreId}`);
  // The data dir in place now is the old one unless the staging dir was moved already (then it is gone).
  if (fs.existsSync(dataDir) && (!snapshot || fs.existsSync(staging))) {
    fs.renameSync(dataDir, fs.existsSync(aside) ? `${aside}.${Date.now()}` : aside);
  }
  if (snapshot && fs.existsSync(staging)) fs.renameSync(staging, dataDir);
  writeFileAtomic(marker, `${s.snapshot || 'set aside'}\n`);
  fs.rmSync(staging + '.complete', { force: true });
  return changed(
    s.snapshot
      ? `restored ${s.snapshot} as a single-member cluster; the old data is in ${path.basename(aside)}`
      : `old data set aside in ${path.basename(aside)}: ${s.name} joins the restored member`,
  );
}
