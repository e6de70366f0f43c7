import { DatabaseSync } from 'node:sqlite';
import { CONVERGE_MIGRATIONS } from './schema.ts';

/**
 * Opens a database with the hub's settings and the convergence migrations
 * applied. The hub's own store does this for its file; tests and benches
 * use this directly.
 */
export function openConvergeDb(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
  db.exec('CREATE TABLE IF NOT EXISTS converge_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  const done = new Set(
    (db.prepare('SELECT version FROM converge_schema').all() as { version: number }[]).map((r) => r.version),
  );
  for (const m of CONVERGE_MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.exec('BEGIN');
    try {
      db.exec(m.sql);
      db.prepare('INSERT INTO converge_schema (version, name) VALUES (?, ?)').run(m.version, m.name);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return db;
}
