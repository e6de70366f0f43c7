import fs from 'node:fs';
import { UserError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';

/**
 * What a lab made on this host (namespaces, containers, bridges, taps,
 * changed sysctls), kept in one file in the run dir. Every change is
 * written (atomically, 0600) BEFORE the thing it describes is made, so
 * `down`, or a later process, removes exactly what exists and nothing else,
 * whenever the deploy was killed.
 */
export class LabRecord<S extends { tag: string }> {
  readonly file: string;
  #state: S;

  private constructor(file: string, state: S) {
    this.file = file;
    this.#state = state;
  }

  /** The lab recorded in file (it must carry this tag), or a new one starting from `empty`. */
  static open<S extends { tag: string }>(file: string, empty: S): LabRecord<S> {
    const recorded = LabRecord.read<S>(file);
    if (recorded && recorded.state.tag !== empty.tag)
      throw new UserError(`${file} belongs to lab "${recorded.state.tag}", not "${empty.tag}"`);
    return recorded ?? new LabRecord(file, empty);
  }

  /** A new lab, recorded before any of it is made. */
  static create<S extends { tag: string }>(file: string, state: S): LabRecord<S> {
    const rec = new LabRecord(file, state);
    rec.change(() => undefined);
    return rec;
  }

  /** The lab recorded in file, whatever its tag (for `down`); undefined when there is none. */
  static read<S extends { tag: string }>(file: string): LabRecord<S> | undefined {
    if (!fs.existsSync(file)) return undefined;
    return new LabRecord(file, JSON.parse(fs.readFileSync(file, 'utf8')) as S);
  }

  get state(): Readonly<S> {
    return this.#state;
  }

  /** Records a change; call it before making what it describes (and after removing what it forgets). */
  change(edit: (s: S) => void): void {
    edit(this.#state);
    writeFileAtomic(this.file, JSON.stringify(this.#state, null, 2) + '\n', 0o600);
  }

  /** Everything recorded is gone: the record goes too. */
  remove(): void {
    fs.rmSync(this.file, { force: true });
  }
}

/** A lab's tag: the prefix of every name it makes (2 to maxLength lowercase letters and digits, a letter first). */
export function checkLabTag(tag: string, maxLength: number): void {
  if (!new RegExp(`^[a-z][a-z0-9]{1,${maxLength - 1}}$`).test(tag))
    throw new UserError(`lab tag "${tag}" must be 2-${maxLength} lowercase letters/digits`);
}
