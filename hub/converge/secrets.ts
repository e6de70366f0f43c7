import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { State } from '../../proto/gen/kubedos/v1/State.ts';
import { statement } from '../state/statements.ts';
import { secretIdRef, secretRef } from '../../shared/tasks/redact.ts';
import type { HubAction } from '../plan/model.ts';

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(alphabet: string, n: number): string {
  // Rejection sampling keeps every character equally likely.
  let out = '';
  while (out.length < n)
    for (const b of randomBytes(n * 2)) if (b < 252 && out.length < n) out += alphabet[b % alphabet.length];
  return out;
}

/** A kubeadm bootstrap token: [a-z0-9]{6}.[a-z0-9]{16}. */
export function bootstrapToken(): string {
  return `${randomFrom(TOKEN_ALPHABET, 6)}.${randomFrom(TOKEN_ALPHABET, 16)}`;
}

/**
 * Secrets the convergence makes and hands to later tasks (the join token and
 * the certificate key). They live only in the hub's database; plans carry
 * `${secret:name}` placeholders, and each state names the secrets it refers
 * to (State.secret_refs): those, and only those, are filled in just before
 * the task is sent.
 */
export class SecretStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  get(name: string): string | undefined {
    return (
      statement(this.db, 'SELECT value FROM converge_secret WHERE name = ?').get(name) as { value: string } | undefined
    )?.value;
  }

  values(): string[] {
    return (statement(this.db, 'SELECT value FROM converge_secret').all() as { value: string }[]).map((r) => r.value);
  }

  /** Keeps values the hub already holds (its issued private keys) under their names; a changed value replaces the old. */
  store(values: Record<string, string>, by: string, now = Date.now()): void {
    const put = statement(
      this.db,
      'INSERT INTO converge_secret (name, value, created_at, created_by) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE value != excluded.value',
    );
    for (const [name, value] of Object.entries(values)) put.run(name, value, now, by);
  }

  /** When a secret was made (or last rotated). */
  createdAt(name: string): number | undefined {
    const row = statement(this.db, 'SELECT created_at FROM converge_secret WHERE name = ?').get(name) as
      { created_at: number } | undefined;
    return row?.created_at;
  }

  /**
   * Runs a hub action: 'made' when the secret is new, 'rotated' when it was
   * older than the action's maxAgeMs and got a new value, undefined when it
   * stays as it is. One statement either way: a crash leaves the old value
   * or the new, never none.
   */
  generate(action: HubAction, by: string, now = Date.now()): 'made' | 'rotated' | undefined {
    const made = this.createdAt(action.secret);
    if (made !== undefined && !(action.maxAgeMs && now - made > action.maxAgeMs)) return undefined;
    const value =
      action.format === 'bootstrap-token'
        ? bootstrapToken()
        : randomBytes(32).toString(action.format === 'base64-32' ? 'base64' : 'hex');
    statement(
      this.db,
      'INSERT INTO converge_secret (name, value, created_at, created_by) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at, created_by = excluded.created_by',
    ).run(action.secret, value, now, by);
    return made === undefined ? 'made' : 'rotated';
  }

  /**
   * The states as they are sent: in each, exactly the secrets its
   * `secretRefs` names (set by the hub's plan) are filled in, at their exact
   * `${secret:NAME}` and `${secret:NAME|id}` references; the field is
   * cleared. A state that names none is sent as planned, whatever its text
   * holds, so a placeholder that came in through a node's input stays text.
   * `missing` stands in for a secret not made yet (a dry run).
   */
  substitute(states: State[], missing = '[secret not generated yet]'): State[] {
    return states.map((planned) => {
      const { secretRefs, ...s } = planned;
      if (!secretRefs?.length) return planned;
      const pairs = secretRefs.flatMap((name): [string, string][] => {
        const v = this.get(name);
        return [
          [secretRef(name), v ?? missing],
          [secretIdRef(name), v === undefined ? missing : v.split('.')[0]!],
        ];
      });
      const fill = (text: string) => pairs.reduce((t, [ref, value]) => t.split(ref).join(value), text);
      const fillAll = (argv: string[] | undefined) => argv?.map(fill);
      if (s.file?.content) {
        const text = Buffer.from(s.file.content as Uint8Array).toString('utf8');
        return { ...s, file: { ...s.file, content: Buffer.from(fill(text)) } };
      }
      const c = s.command;
      if (c)
        return { ...s, command: { ...c, argv: fillAll(c.argv), unless: fillAll(c.unless), onlyif: fillAll(c.onlyif) } };
      return s;
    });
  }
}
