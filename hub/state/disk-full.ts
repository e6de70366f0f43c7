/**
 * The hub's disk filled up: sqlite says SQLITE_FULL ("database or disk is
 * full", errcode 13), a file write says ENOSPC. The hub then refuses
 * writes with this said in `hubctl status`, and keeps serving reads and
 * sessions; the first write that succeeds again clears it.
 */
export function isDiskFull(err: unknown): boolean {
  const e = err as { errcode?: number; code?: string; message?: string } | undefined;
  return e?.errcode === 13 || e?.code === 'ENOSPC' || /database or disk is full/.test(e?.message ?? '');
}

export class DiskFullWatch {
  #since: number | undefined;
  readonly #stateDir: string;
  readonly #onChange: (full: boolean) => void;

  constructor(stateDir: string, onChange: (full: boolean) => void = () => {}) {
    this.#stateDir = stateDir;
    this.#onChange = onChange;
  }

  /** What a write came to: a disk-full error marks the disk full, anything that committed clears it. */
  saw(err: unknown | undefined, now = Date.now()): void {
    if (err === undefined) {
      if (this.#since === undefined) return;
      this.#since = undefined;
      this.#onChange(false);
    } else if (isDiskFull(err) && this.#since === undefined) {
      this.#since = now;
      this.#onChange(true);
    }
  }

  get full(): boolean {
    return this.#since !== undefined;
  }

  /** What `hubctl status` says while the disk is full. */
  problems(now = Date.now()): string[] {
    if (this.#since === undefined) return [];
    return [
      `the disk under ${this.#stateDir} is full (for ${Math.round((now - this.#since) / 1000)} s): ` +
        'writes are refused (enrollments, replacements, convergence runs, backups); sessions and reads go on. ' +
        'Free space there: the hub takes writes again by itself',
    ];
  }
}

/**
 * Nonces spent while the database could not take them (a full disk): kept in
 * memory until they expire, so a replay is refused all the same within this
 * process; the database holds every nonce spent while it could.
 */
export class MemoryNonces {
  readonly #spent = new Map<string, number>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  /** True when the nonce was not spent before (and is now); false for a replay or when full. */
  spend(nonce: Uint8Array, expiresAt: number, now = Date.now()): boolean {
    const key = Buffer.from(nonce).toString('base64');
    if (this.#spent.has(key)) return false;
    if (this.#spent.size >= this.#max) {
      for (const [k, at] of this.#spent) if (at < now) this.#spent.delete(k);
      if (this.#spent.size >= this.#max) return false;
    }
    this.#spent.set(key, expiresAt);
    return true;
  }

  has(nonce: Uint8Array): boolean {
    return this.#spent.has(Buffer.from(nonce).toString('base64'));
  }
}
