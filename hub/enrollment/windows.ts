import crypto from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { UserError } from '../../shared/errors.ts';
import { ROLES } from '../../shared/topology/model.ts';
import { listInventory, type InventoryNode } from '../state/inventory.ts';
import { statement } from '../state/statements.ts';

/**
 * Enrollment windows. The hub is closed by default; a window admits the
 * expected nodes in its scope (a role, a list of nodes, or everything) until
 * its TTL passes or every node in scope has enrolled, whichever is first.
 */
export interface EnrollmentWindow {
  id: string;
  openedAt: number;
  expiresAt: number;
  closedAt: number | null;
  closeReason: string | null;
  scopeRole: string | null;
  scopeNodes: string[];
}

interface WindowRow {
  id: string;
  opened_at: number;
  expires_at: number;
  closed_at: number | null;
  close_reason: string | null;
  scope_role: string | null;
  scope_nodes: string;
}

function fromRow(r: WindowRow): EnrollmentWindow {
  return {
    id: r.id,
    openedAt: r.opened_at,
    expiresAt: r.expires_at,
    closedAt: r.closed_at,
    closeReason: r.close_reason,
    scopeRole: r.scope_role,
    scopeNodes: JSON.parse(r.scope_nodes) as string[],
  };
}

export const MAX_WINDOW_TTL_MS = 24 * 3600_000;

export function openWindow(
  db: DatabaseSync,
  opts: { ttlMs: number; role?: string; nodes?: string[] },
  now: number,
): EnrollmentWindow {
  if (!(opts.ttlMs > 0) || opts.ttlMs > MAX_WINDOW_TTL_MS) {
    throw new UserError('a window TTL must be between 1 second and 24 hours');
  }
  if (opts.role && !(ROLES as readonly string[]).includes(opts.role)) {
    throw new UserError(`unknown role "${opts.role}" (roles: ${ROLES.join(', ')})`);
  }
  const inventory = listInventory(db);
  const known = new Set(inventory.map((n) => n.node));
  const unknown = (opts.nodes ?? []).filter((n) => !known.has(n));
  if (unknown.length > 0) throw new UserError(`not in the inventory: ${unknown.join(', ')}`);
  if (opts.role && opts.nodes?.length) {
    const wrong = inventory.filter((n) => opts.nodes!.includes(n.node) && n.role !== opts.role).map((n) => n.node);
    if (wrong.length > 0) throw new UserError(`not of role ${opts.role}: ${wrong.join(', ')}`);
  }
  const w: EnrollmentWindow = {
    id: `w-${crypto.randomBytes(4).toString('hex')}`,
    openedAt: now,
    expiresAt: now + opts.ttlMs,
    closedAt: null,
    closeReason: null,
    scopeRole: opts.role || null,
    scopeNodes: [...new Set(opts.nodes ?? [])].sort(),
  };
  statement(db, 'INSERT INTO windows (id, opened_at, expires_at, scope_role, scope_nodes) VALUES (?, ?, ?, ?, ?)').run(
    w.id,
    w.openedAt,
    w.expiresAt,
    w.scopeRole,
    JSON.stringify(w.scopeNodes),
  );
  return w;
}

export function windowCovers(w: EnrollmentWindow, node: Pick<InventoryNode, 'node' | 'role'>): boolean {
  if (w.scopeRole && w.scopeRole !== node.role) return false;
  if (w.scopeNodes.length > 0 && !w.scopeNodes.includes(node.node)) return false;
  return true;
}

export function isOpen(w: EnrollmentWindow, now: number): boolean {
  return w.closedAt === null && now < w.expiresAt;
}

/** Windows still open now; ones whose TTL has passed are closed on the way (reason "ttl"). */
export function openWindows(db: DatabaseSync, now: number): EnrollmentWindow[] {
  statement(
    db,
    "UPDATE windows SET closed_at = expires_at, close_reason = 'ttl' WHERE closed_at IS NULL AND expires_at <= ?",
  ).run(now);
  return (
    statement(db, 'SELECT * FROM windows WHERE closed_at IS NULL ORDER BY opened_at').all() as unknown as WindowRow[]
  ).map(fromRow);
}

export function listWindows(db: DatabaseSync, now: number, includeClosed: boolean): EnrollmentWindow[] {
  const open = openWindows(db, now);
  if (!includeClosed) return open;
  return (statement(db, 'SELECT * FROM windows ORDER BY opened_at').all() as unknown as WindowRow[]).map(fromRow);
}

/** The open window admitting this node, if any. Read-only: it runs once per enrollment. */
export function coveringWindow(
  db: DatabaseSync,
  node: Pick<InventoryNode, 'node' | 'role'>,
  now: number,
): EnrollmentWindow | undefined {
  const rows = statement(db, 'SELECT * FROM windows WHERE closed_at IS NULL AND expires_at > ? ORDER BY opened_at').all(
    now,
  ) as unknown as WindowRow[];
  return rows.map(fromRow).find((w) => windowCovers(w, node));
}

const PENDING_SQL = `
  FROM inventory i
  WHERE NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.node = i.node)
    AND (?1 IS NULL OR i.role = ?1)
    AND (?2 = '[]' OR i.node IN (SELECT value FROM json_each(?2)))`;

/** Expected nodes in a window's scope that have not enrolled yet. */
export function pendingNodes(db: DatabaseSync, w: EnrollmentWindow): string[] {
  const rows = statement(db, `SELECT i.node ${PENDING_SQL} ORDER BY i.position`).all(
    w.scopeRole,
    JSON.stringify(w.scopeNodes),
  ) as Array<{ node: string }>;
  return rows.map((r) => r.node);
}

/** Closes every open window with nothing left to admit (reason "complete"). */
export function completeFinishedWindows(db: DatabaseSync, now: number): void {
  const pending = statement(db, `SELECT COUNT(*) AS n ${PENDING_SQL}`);
  for (const w of openWindows(db, now)) {
    const { n } = pending.get(w.scopeRole, JSON.stringify(w.scopeNodes)) as { n: number };
    if (n === 0)
      statement(db, "UPDATE windows SET closed_at = ?, close_reason = 'complete' WHERE id = ?").run(now, w.id);
  }
}

export function closeWindows(db: DatabaseSync, id: string | undefined, now: number): EnrollmentWindow[] {
  const open = openWindows(db, now);
  const target = id ? open.filter((w) => w.id === id) : open;
  if (id && target.length === 0) throw new UserError(`no open window ${id}`, 'see hubctl enroll show');
  for (const w of target) {
    statement(db, "UPDATE windows SET closed_at = ?, close_reason = 'operator' WHERE id = ?").run(now, w.id);
    w.closedAt = now;
    w.closeReason = 'operator';
  }
  return target;
}
