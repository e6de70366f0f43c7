import type { DatabaseSync } from 'node:sqlite';

/**
 * What the hub knows of the clusters it built, read from its own record of
 * real (not dry) runs: the plan decides bootstrap or join from this, never
 * from list order.
 */

/** A real run has passed the etcd health gate: from then on the cluster exists, and an empty member rejoins it. */
export function etcdBootstrapped(db: DatabaseSync): boolean {
  return !!db
    .prepare(
      `SELECT 1 FROM converge_task t JOIN converge_run r ON r.id = t.run_id
        WHERE t.name = 'etcd-healthy' AND t.state = 'done' AND t.status != 'TASK_STATUS_SKIPPED' AND r.dry_run = 0 LIMIT 1`,
    )
    .get();
}

/**
 * Nodes whose kubeadm init or join succeeded after their current enrollment.
 * A node replaced since (its enrollment is newer, or gone) is not a member.
 */
export function kubernetesMembers(db: DatabaseSync): string[] {
  const rows = db
    .prepare(
      `SELECT DISTINCT t.node AS node FROM converge_task t
         JOIN converge_run r ON r.id = t.run_id
         JOIN enrollments e ON e.node = t.node
        WHERE t.name IN ('kubeadm-init', 'kubeadm-join') AND t.state = 'done' AND t.status != 'TASK_STATUS_SKIPPED'
          AND r.dry_run = 0 AND t.finished_at >= e.enrolled_at
        ORDER BY t.node`,
    )
    .all() as Array<{ node: string }>;
  return rows.map((r) => r.node);
}
