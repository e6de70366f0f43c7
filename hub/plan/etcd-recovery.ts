import { etcdRestore, etcdSnapshot, service } from '../../shared/tasks/builders.ts';
import { ETCD_BACKUP_DEFAULTS, type Topology, type TopologyNode } from '../../shared/topology/model.ts';
import type { PlanMaterial } from './material.ts';
import type { Plan } from './model.ts';
import { PlanBuilder } from './plan-builder.ts';
import { etcdClientUrl, etcdDataDir, etcdMembers, etcdPeerUrl } from './render/etcd-env.ts';
import type { RoleContext } from './roles/context.ts';
import { ETCD_MEMBER_TLS, etcdHealthGate, etcdJoin, etcdService } from './roles/etcd.ts';

/** The task of a backup run; the hub lists backups from these tasks' records. */
export const ETCD_BACKUP_TASK = 'etcd-backup';

export function etcdBackupSettings(t: Topology): Required<NonNullable<Topology['etcdBackups']>> {
  return { ...ETCD_BACKUP_DEFAULTS, ...t.etcdBackups };
}

/** "etcd-20261201T180000Z.db": names sort by the time they were taken. */
export function snapshotFileName(at: number): string {
  return `etcd-${new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.db`;
}

/** The time a snapshot file name carries; undefined for any other name. */
export function snapshotTime(fileName: string): number | undefined {
  const m = /^etcd-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.db$/.exec(fileName);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

function context(t: Topology, material: PlanMaterial): RoleContext {
  return {
    t,
    plan: new PlanBuilder(),
    material,
    options: {
      lanInterface: '',
      lanInterfaces: {},
      kubeletContainers: {},
      kubePackageRevision: '',
      etcdBootstrapped: true,
    },
    nodesOf: (role: TopologyNode['role']) => t.nodes.filter((n) => n.role === role),
  };
}

function member(t: Topology, name: string): TopologyNode {
  const m = etcdMembers(t).find((n) => n.hostname === name);
  if (!m) throw new Error(`${name} is not an etcd member`);
  return m;
}

/** One task: the member takes a snapshot through its own client URL and keeps the newest N. */
export function etcdBackupPlan(t: Topology, node: string, fileName: string): Plan {
  const b = etcdBackupSettings(t);
  const m = member(t, node);
  const plan = new PlanBuilder();
  plan.add(
    m.hostname,
    ETCD_BACKUP_TASK,
    'etcd',
    [
      etcdSnapshot('snapshot', {
        endpoint: etcdClientUrl(t, m),
        ...ETCD_MEMBER_TLS,
        dir: b.dir,
        fileName,
        keep: b.keep,
      }),
    ],
    { timeoutMs: 10 * 60_000 },
  );
  return { deployment: t.name, tasks: plan.tasks };
}

/**
 * A restore, as etcd's disaster-recovery guide does it for a cluster that
 * must come back from a snapshot: every member stops; the member holding
 * the snapshot restores it as a cluster of one and starts; the others set
 * their data aside and join it one after another as new members (the
 * ordinary join: remove the stale entry, add, start as existing); the
 * health gate ends it. Old data dirs are kept beside, never deleted.
 */
export function etcdRestorePlan(
  t: Topology,
  material: PlanMaterial,
  from: { node: string; snapshot: string },
  restoreId: string,
): Plan {
  const ctx = context(t, material);
  const source = member(t, from.node);
  const members = etcdMembers(t);
  const restoreOptions = (m: TopologyNode, snapshot: string) => ({
    restoreId,
    dataDir: etcdDataDir(t),
    snapshot,
    name: m.hostname,
    peerUrl: etcdPeerUrl(t, m),
    clusterToken: `kubedos-${t.name}-${restoreId}`,
  });
  // Before anything stops: the snapshot is restored beside the holder's data (etcd still running), which
  // proves it is there and whole (the restore checks its own hash). A missing or broken one stops the
  // plan here, with every member still serving.
  const staged = ctx.plan.add(
    source.hostname,
    'etcd-restore-stage',
    'etcd',
    [etcdRestore('stage', { ...restoreOptions(source, from.snapshot), stageOnly: true })],
    { timeoutMs: 10 * 60_000 },
  );
  const stops = members.map((m) =>
    ctx.plan.add(m.hostname, 'etcd-stop', 'etcd', [service('service', 'etcd', { running: false })], {
      deps: [staged],
      timeoutMs: 2 * 60_000,
    }),
  );
  const restore = (m: TopologyNode, snapshot: string, deps: string[]) =>
    ctx.plan.add(m.hostname, 'etcd-restore', 'etcd', [etcdRestore('restore', restoreOptions(m, snapshot))], {
      deps,
      timeoutMs: 10 * 60_000,
    });
  let last = etcdService(ctx, source, [restore(source, from.snapshot, stops)]);
  const services = [last];
  for (const m of members.filter((x) => x !== source)) {
    last = etcdService(ctx, m, [etcdJoin(ctx, m, [restore(m, '', stops), last], true)]);
    services.push(last);
  }
  etcdHealthGate(ctx, services);
  ctx.plan.validate();
  return { deployment: t.name, tasks: ctx.plan.tasks };
}
