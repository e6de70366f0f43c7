import type { DatabaseSync } from 'node:sqlite';
import { CORE_MIGRATIONS } from '../state/migrations.ts';
import { openHubDb } from '../state/open-db.ts';
import { CONVERGE_MIGRATIONS } from './schema.ts';

/**
 * The hub's database as the hub opens it (WAL, synchronous=FULL, versioned
 * migrations, every table: convergence reads enrollments for the cluster's
 * state), for tests and benches that run the engine without the rest of the hub.
 */
export function openConvergeDb(file: string): DatabaseSync {
  return openHubDb(file, [...CORE_MIGRATIONS, ...CONVERGE_MIGRATIONS]);
}
