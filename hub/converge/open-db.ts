import type { DatabaseSync } from 'node:sqlite';
import { openHubDb } from '../state/open-db.ts';
import { CONVERGE_MIGRATIONS } from './schema.ts';

/**
 * A database with only the convergence tables, opened the way the hub opens
 * its own (WAL, synchronous=FULL, versioned migrations): for tests and
 * benches that run the engine without the rest of the hub.
 */
export function openConvergeDb(file: string): DatabaseSync {
  return openHubDb(file, CONVERGE_MIGRATIONS);
}
