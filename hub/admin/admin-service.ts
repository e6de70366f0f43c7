import { status, type ServiceError, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { DatabaseSync } from 'node:sqlite';
import type { AdminHandlers } from '../../proto/gen/kubedos/v1/Admin.ts';
import type { Window } from '../../proto/gen/kubedos/v1/Window.ts';
import { UserError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { checkNewCredential, revokeNode } from '../enrollment/enrollments.ts';
import { replacedMetadata, type ProveReplacement } from '../auth/replaced-keys.ts';
import type { HubBackups } from '../backup/hub-backups.ts';
import { isDiskFull } from '../state/disk-full.ts';
import { closeWindows, listWindows, openWindow, pendingNodes, type EnrollmentWindow } from '../enrollment/windows.ts';
import type { GroupCommit } from '../state/group-commit.ts';
import { inventoryNode } from '../state/inventory.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import type { ConvergeService } from '../converge/converge-service.ts';
import { certificateInventory, type HubTlsView } from '../pki/certificate-inventory.ts';
import { issueAdminKubeconfig } from '../pki/admin-kubeconfig.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { tokenMatches } from './admin-token.ts';
import type { AuditLog } from './audit-log.ts';
import { nodeStatuses } from './node-status.ts';
import { kubernetesMembers } from '../converge/cluster-state.ts';
import { clusterSide, releaseFromCluster } from './cluster-side.ts';

export interface AdminServiceDeps {
  db: DatabaseSync;
  writes: GroupCommit;
  registry: SessionRegistry;
  deployment: string;
  version: string;
  adminToken: string;
  heartbeatIntervalMs: number;
  log: Logger;
  converge: ConvergeService;
  /** What is wrong with the hub itself (a full disk), for hubctl status. */
  hubProblems?: () => string[];
  /** The hub's backups of its own state (hubctl hub backup, hub backups)... */
  hubBackups?: HubBackups;
  /** ...and the nodes that said they keep a copy of one. */
  backupCopies?: (name: string) => string[];
  /** Signs a replaced node's proof (the hub's TLS CA key). */
  proveReplacement: ProveReplacement;
  /** Called after a node's keys are revoked, so plane peers can be removed at once. */
  onReplaced?: (node: string) => void;
  /** For `hubctl certs`: the hub's TLS CA and the certificate it serves now (undefined before it listens)... */
  hubTls?: () => HubTlsView | undefined;
  /** ...and its PKI dir. */
  pkiDir?: string;
  /** The deployment, for what a kubeconfig names (the API VIP). */
  topology?: Topology;
  /** Where every call that changes something, and every refused call, is recorded. */
  audit?: AuditLog;
  now?: () => number;
}

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/** Operator calls, each checked against the admin token; UserErrors go back as their message. */
export function adminService(deps: AdminServiceDeps): AdminHandlers {
  const now = deps.now ?? Date.now;
  const { db, writes } = deps;
  const toWire = (w: EnrollmentWindow): Window => ({
    id: w.id,
    openedAtMs: w.openedAt,
    expiresAtMs: w.expiresAt,
    closedAtMs: w.closedAt ?? 0,
    closeReason: w.closeReason ?? '',
    scopeRole: w.scopeRole ?? '',
    scopeNodes: w.scopeNodes,
    pendingNodes: w.closedAt === null ? pendingNodes(db, w) : [],
  });

  function guarded<Req, Res>(name: string, fn: (req: Req) => Res | Promise<Res>): Handler<Req, Res> {
    return (call, callback) => {
      const presented = String(call.metadata.get('authorization')[0] ?? '').replace(/^Bearer /, '');
      const request = (call.request ?? {}) as object;
      if (!tokenMatches(deps.adminToken, presented)) {
        deps.audit?.record(name, request, 'refused: admin token rejected');
        callback({ code: status.UNAUTHENTICATED, details: 'admin token rejected' } as ServiceError);
        return;
      }
      Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (res) => {
            deps.audit?.record(name, request, 'ok');
            callback(null, res);
          },
          (err: unknown) => {
            deps.audit?.record(name, request, `error: ${err instanceof UserError ? err.message : 'internal error'}`);
            if (err instanceof UserError) {
              callback({ code: status.FAILED_PRECONDITION, details: err.message } as ServiceError);
            } else if (isDiskFull(err)) {
              callback({
                code: status.UNAVAILABLE,
                details: 'the hub’s disk is full: it takes no writes until there is room (hubctl status says where)',
              } as ServiceError);
            } else {
              deps.log.error(`${name} failed`, { error: String(err) });
              callback({ code: status.INTERNAL, details: 'internal error; see the hub log' } as ServiceError);
            }
          },
        );
    };
  }

  return {
    Status: guarded('Status', async (req) => {
      const t = now();
      const { nodes, summary } = nodeStatuses(db, deps.registry, deps.heartbeatIntervalMs, t);
      const kube =
        req.kubernetes && deps.pkiDir && deps.topology
          ? await clusterSide(deps.pkiDir, deps.topology, kubernetesMembers(db), nodes)
          : { kubernetesError: '' };
      return {
        hubProblems: deps.hubProblems?.() ?? [],
        deployment: deps.deployment,
        hubVersion: deps.version,
        nowMs: t,
        summary,
        nodes,
        windows: listWindows(db, t, false).map(toWire),
        convergence: deps.converge.status(req.runId || undefined) ?? null,
        kubernetesError: kube.kubernetesError,
      };
    }),
    Plan: guarded('Plan', async () => deps.converge.planView()),
    Converge: guarded('Converge', async (req) => {
      const { runId, wait } = await deps.converge.startConvergence({ dryRun: req.dryRun ?? false });
      deps.log.info('convergence started', { runId, dryRun: req.dryRun ?? false });
      void wait.then((s) =>
        deps.log.info('convergence finished', { runId, state: s.state, changed: s.changed, failed: s.failed }),
      );
      return { runId };
    }),
    Logs: guarded('Logs', (req) => ({ tasks: deps.converge.logs(req.node ?? '', req.task || undefined) })),
    Rerun: guarded('Rerun', (req) => ({ tasks: deps.converge.rerun(req.target ?? '') })),
    CancelConvergence: guarded('CancelConvergence', (req) => {
      const r = deps.converge.cancel(req.reason ?? '');
      if (r) deps.log.info('convergence cancelled', { runId: r.runId, tasks: r.cancelled });
      return { runId: r?.runId ?? 0, cancelledTasks: r?.cancelled ?? 0 };
    }),
    IssueKubeconfig: guarded('IssueKubeconfig', async (req) => {
      if (!deps.pkiDir || !deps.topology) throw new UserError('this hub does not issue kubeconfigs');
      const r = await issueAdminKubeconfig(deps.pkiDir, deps.topology, {
        csrPem: req.csrPem ?? '',
        ttlMs: (req.ttlSeconds ?? 0) * 1000,
        user: req.user || 'operator',
      });
      deps.log.info('admin kubeconfig issued', { user: req.user, notAfter: new Date(r.notAfterMs).toISOString() });
      return r;
    }),
    Certificates: guarded('Certificates', () => ({
      certificates: deps.pkiDir ? certificateInventory(db, deps.pkiDir, deps.hubTls?.()) : [],
    })),
    EtcdBackup: guarded('EtcdBackup', () => {
      const b = deps.converge.startEtcdBackup();
      deps.log.info('etcd backup started', { runId: b.runId, node: b.node, path: b.path });
      return { runId: b.runId, node: b.node, path: b.path };
    }),
    ListEtcdBackups: guarded('ListEtcdBackups', () => ({
      backups: deps.converge
        .etcdBackups()
        .map((b) => ({ name: b.name, node: b.node, path: b.path, takenAtMs: b.takenAt, summary: b.summary })),
    })),
    HubBackup: guarded('HubBackup', (req) => {
      if (!deps.hubBackups) throw new UserError('this hub keeps no backups');
      if (req.name) {
        const data = deps.hubBackups.read(req.name);
        const info = deps.hubBackups.list().find((b) => b.name === req.name);
        if (!data || !info)
          throw new UserError(`no kept backup is named ${JSON.stringify(req.name)}`, 'see hubctl hub backups');
        return { backup: info, data: req.includeData ? data : Buffer.alloc(0) };
      }
      const { sealed, ...info } = deps.hubBackups.take();
      deps.log.info('hub backup taken', { name: info.name, bytes: info.bytes, sha256: info.sha256 });
      return { backup: info, data: req.includeData ? sealed : Buffer.alloc(0) };
    }),
    ListHubBackups: guarded('ListHubBackups', () => ({
      backups: (deps.hubBackups?.list() ?? []).map((b) => ({ ...b, copiedTo: deps.backupCopies?.(b.name) ?? [] })),
    })),
    EtcdRestore: guarded('EtcdRestore', async (req) => {
      const r = await deps.converge.startEtcdRestore(req.name ?? '');
      deps.log.info('etcd restore started', { runId: r.runId, node: r.node, restoreId: r.restoreId, name: req.name });
      return { runId: r.runId, node: r.node, restoreId: r.restoreId };
    }),
    OpenWindow: guarded('OpenWindow', async (req) => {
      const w = await writes.run(() =>
        openWindow(db, { ttlMs: (req.ttlSeconds ?? 0) * 1000, role: req.role ?? '', nodes: req.nodes ?? [] }, now()),
      );
      deps.log.info('enrollment window opened', { id: w.id, role: w.scopeRole ?? 'any', nodes: w.scopeNodes.length });
      return toWire(w);
    }),
    CloseWindow: guarded('CloseWindow', async (req) => {
      const closed = await writes.run(() => closeWindows(db, req.id || undefined, now()));
      return { closed: closed.map(toWire) };
    }),
    ListWindows: guarded('ListWindows', (req) => ({
      windows: listWindows(db, now(), req.includeClosed ?? false).map(toWire),
    })),
    ReplaceNode: guarded('ReplaceNode', async (req) => {
      const node = req.node ?? '';
      if (!inventoryNode(db, node)) throw new UserError(`unknown node "${node}"`);
      const credential = req.credentialPublicKey?.length ? new Uint8Array(req.credentialPublicKey) : undefined;
      if (credential) checkNewCredential(db, node, credential);
      // The cluster lets the node go first (drained, its Node deleted), while the node may still be there to help.
      const kubernetes =
        deps.pkiDir && deps.topology && kubernetesMembers(db).includes(node)
          ? await releaseFromCluster(deps.pkiDir, deps.topology, node, (line) => deps.log.warn(line, { node }))
          : '';
      if (kubernetes) deps.log.info('node released by the cluster', { node, kubernetes });
      const result = await writes.run(() => revokeNode(db, node, now(), credential));
      // The session is ended with the proof of the replace: the node's minion discards those keys on it only.
      if (result.identity)
        await deps.registry.drop(node, replacedMetadata(deps.proveReplacement, node, result.identity));
      deps.onReplaced?.(node);
      deps.log.info('node replaced: keys revoked', {
        node,
        generation: result.generation,
        newCredential: credential !== undefined,
      });
      return {
        node,
        generation: result.generation,
        revokedKeys: result.revoked.map((k) => Buffer.from(k).toString('base64')),
        kubernetes,
        newCredential: credential !== undefined,
      };
    }),
  };
}
