/**
 * The engine's tables, registered by the hub's state store beside its own
 * migrations (versions from 100 up belong to convergence). Every transition
 * of a task is one statement, so a hub killed at any line resumes from a
 * consistent row: done stays done, dispatched is sent again.
 */
export const CONVERGE_MIGRATIONS: Array<{ version: number; name: string; sql: string }> = [
  {
    version: 100,
    name: 'converge runs, tasks, secrets, logs',
    sql: `
      CREATE TABLE converge_run (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        dry_run INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed'))
      );
      CREATE TABLE converge_task (
        run_id INTEGER NOT NULL REFERENCES converge_run(id),
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        node TEXT NOT NULL,
        name TEXT NOT NULL,
        phase TEXT NOT NULL,
        deps TEXT NOT NULL,
        spec TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'dispatched', 'done', 'failed', 'blocked')),
        attempt INTEGER NOT NULL DEFAULT 0,
        retries INTEGER NOT NULL,
        retry_at INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT '',
        changed INTEGER NOT NULL DEFAULT 0,
        dispatched_at INTEGER,
        finished_at INTEGER,
        duration_ms INTEGER,
        summary TEXT NOT NULL DEFAULT '',
        output_tail TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, task_id)
      );
      CREATE INDEX converge_task_state ON converge_task (run_id, state);
      CREATE TABLE converge_secret (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE TABLE converge_log (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        task_id TEXT NOT NULL,
        node TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        level TEXT NOT NULL,
        text TEXT NOT NULL
      );
      CREATE INDEX converge_log_task ON converge_log (run_id, node, task_id, id);
    `,
  },
  {
    version: 101,
    name: 'certificates the hub signed',
    sql: `
      CREATE TABLE issued_certificate (
        node TEXT NOT NULL,
        profile TEXT NOT NULL,
        serial TEXT NOT NULL,
        not_before INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        issued_at INTEGER NOT NULL,
        PRIMARY KEY (node, profile, serial)
      );
      CREATE INDEX issued_certificate_latest ON issued_certificate (node, profile, issued_at);
    `,
  },
];
