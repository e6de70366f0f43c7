import type { DatabaseSync } from 'node:sqlite';
import { Counter, Gauge, Registry } from 'prom-client';
import { nodeStatuses } from '../admin/node-status.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { statement } from '../state/statements.ts';
import type { RefusalReason } from '../enrollment/enroll-error.ts';

/**
 * The hub's metrics, in Prometheus's text format (prom-client): node states
 * and heartbeat ages, sessions, enrollments and refusals by reason, the
 * latest convergence run's tasks by state and its duration, runs by outcome.
 * Gauges are read from the hub's state at each scrape, never kept twice.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly enrollments: Counter<'result' | 'reason'>;
  private readonly connectionsRefused: Counter<'limit'>;
  private readonly hellosIgnored: Counter;

  constructor(deps: { db: DatabaseSync; sessions: SessionRegistry; heartbeatIntervalMs: number; deployment: string }) {
    const { db, sessions, heartbeatIntervalMs } = deps;
    this.registry.setDefaultLabels({ deployment: deps.deployment });
    const r = [this.registry];
    this.enrollments = new Counter({
      name: 'kubedos_enrollments_total',
      help: 'Enrollment requests answered, by result (accepted, refused) and refusal reason.',
      labelNames: ['result', 'reason'],
      registers: r,
    });
    this.connectionsRefused = new Counter({
      name: 'kubedos_connections_refused_total',
      help: 'Connections to the node-facing port closed at once, by the limit they hit (per_peer, total).',
      labelNames: ['limit'],
      registers: r,
    });
    this.hellosIgnored = new Counter({
      name: 'kubedos_hellos_ignored_total',
      help: "Hellos after a session's first, ignored (a node says its facts once per session).",
      registers: r,
    });
    const statuses = () => nodeStatuses(db, sessions, heartbeatIntervalMs, Date.now());
    new Gauge({
      name: 'kubedos_nodes',
      help: 'Nodes of the topology by state: expected, enrolled, connected, lost.',
      labelNames: ['state'],
      registers: r,
      collect() {
        const s = statuses().summary;
        for (const state of ['expected', 'enrolled', 'connected', 'lost'] as const) this.set({ state }, s[state] ?? 0);
      },
    });
    new Gauge({
      name: 'kubedos_sessions',
      help: 'Minion sessions the hub holds now.',
      registers: r,
      collect() {
        this.set(sessions.all().length);
      },
    });
    new Gauge({
      name: 'kubedos_node_heartbeat_age_seconds',
      help: "Seconds since each connected node's last heartbeat.",
      labelNames: ['node'],
      registers: r,
      collect() {
        this.reset();
        const now = Date.now();
        for (const s of sessions.all()) this.set({ node: s.node }, Math.max(0, (now - s.lastHeartbeat) / 1000));
      },
    });
    new Gauge({
      name: 'kubedos_convergence_tasks',
      help: "The latest convergence run's tasks by state (pending, dispatched, done, failed, blocked).",
      labelNames: ['state'],
      registers: r,
      collect() {
        this.reset();
        const rows = statement(
          db,
          'SELECT state, COUNT(*) AS n FROM converge_task WHERE run_id = (SELECT MAX(id) FROM converge_run) GROUP BY state',
        ).all() as Array<{ state: string; n: number }>;
        for (const state of ['pending', 'dispatched', 'done', 'failed', 'blocked'])
          this.set({ state }, rows.find((x) => x.state === state)?.n ?? 0);
      },
    });
    new Gauge({
      name: 'kubedos_convergence_task_duration_seconds_sum',
      help: "Sum of the latest run's finished task durations.",
      registers: r,
      collect() {
        const row = statement(
          db,
          'SELECT COALESCE(SUM(duration_ms), 0) AS ms FROM converge_task WHERE run_id = (SELECT MAX(id) FROM converge_run)',
        ).get() as { ms: number };
        this.set(row.ms / 1000);
      },
    });
    new Gauge({
      name: 'kubedos_convergence_runs',
      help: 'Convergence runs by state (running, done, failed).',
      labelNames: ['state'],
      registers: r,
      collect() {
        const rows = statement(db, 'SELECT state, COUNT(*) AS n FROM converge_run GROUP BY state').all() as Array<{
          state: string;
          n: number;
        }>;
        for (const state of ['running', 'done', 'failed'])
          this.set({ state }, rows.find((x) => x.state === state)?.n ?? 0);
      },
    });
  }

  enrolled(): void {
    this.enrollments.inc({ result: 'accepted', reason: '' });
  }

  connectionRefused(limit: 'per_peer' | 'total'): void {
    this.connectionsRefused.inc({ limit });
  }

  helloIgnored(): void {
    this.hellosIgnored.inc();
  }

  refused(reason: RefusalReason): void {
    this.enrollments.inc({ result: 'refused', reason });
  }
}
