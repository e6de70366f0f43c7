import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { CommandOutcome, Host, InstalledPackage, RunOptions, UnitAction, UnitStatus } from './host.ts';
import { underRoot } from './paths.ts';

/** Where, under a node's root, the sim keeps its journal and its model of the machine. */
export const SIM_DIR = 'var/lib/kubedos-sim';

export interface JournalEntry {
  at: number;
  task: string;
  argv: string[];
}

interface SimModel {
  packages: Record<string, InstalledPackage>;
  /** A dpkg stopped mid-way (set by a test): the next package task repairs it first. */
  dpkgInterrupted?: boolean;
  units: Record<string, UnitStatus>;
  modules: string[];
  sysctls: Record<string, string>;
  guards: Record<string, boolean>;
}

const OK: CommandOutcome = { exitCode: 0, output: '', timedOut: false };

/**
 * The sim's host: package, service, kernel and Kubernetes commands are not
 * run but appended (argv) to <root>/var/lib/kubedos-sim/journal.jsonl, and
 * their effect is kept in model.json, so idempotence is observable: the
 * second run finds the packages "installed" and reports unchanged.
 */
export class RecordingHost implements Host {
  readonly root: string;
  readonly simulatesProbes: boolean = true;
  readonly container = '';
  private readonly task: string;

  constructor(root: string, task = '') {
    this.root = root;
    this.task = task;
  }

  static journalFile(root: string): string {
    return path.join(root, SIM_DIR, 'journal.jsonl');
  }

  static readJournal(root: string): JournalEntry[] {
    const file = RecordingHost.journalFile(root);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JournalEntry);
  }

  private get modelFile(): string {
    return path.join(this.root, SIM_DIR, 'model.json');
  }

  private model(): SimModel {
    const empty: SimModel = { packages: {}, units: {}, modules: [], sysctls: {}, guards: {} };
    if (!fs.existsSync(this.modelFile)) return empty;
    return { ...empty, ...(JSON.parse(fs.readFileSync(this.modelFile, 'utf8')) as Partial<SimModel>) };
  }

  private update(change: (m: SimModel) => void): void {
    const m = this.model();
    change(m);
    writeFileAtomic(this.modelFile, JSON.stringify(m, null, 1));
  }

  private record(argv: readonly string[]): CommandOutcome {
    const file = RecordingHost.journalFile(this.root);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entry: JournalEntry = { at: Date.now(), task: this.task, argv: [...argv] };
    fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
    return { ...OK, output: `recorded: ${argv.join(' ')}` };
  }

  async run(argv: readonly string[], _opts?: RunOptions): Promise<CommandOutcome> {
    return this.record(argv);
  }

  async guard(argv: readonly string[], kind: 'unless' | 'onlyif'): Promise<boolean> {
    this.record(['#guard', kind, ...argv]);
    return this.model().guards[argv.join('\0')] ?? kind === 'onlyif';
  }

  /** A guarded command's effect: its `creates` exists, its `unless` now holds, its `onlyif` no longer does. */
  async commandDone(effect: { creates: string; unless: readonly string[]; onlyif: readonly string[] }): Promise<void> {
    if (effect.creates) {
      const target = underRoot(this.root, effect.creates);
      if (!fs.existsSync(target)) writeFileAtomic(target, 'created by a recorded command\n');
    }
    if (!effect.unless.length && !effect.onlyif.length) return;
    this.update((m) => {
      if (effect.unless.length) m.guards[effect.unless.join('\0')] = true;
      if (effect.onlyif.length) m.guards[effect.onlyif.join('\0')] = false;
    });
  }

  async installedPackage(name: string): Promise<InstalledPackage | undefined> {
    return this.model().packages[name];
  }

  async dpkgInterrupted(): Promise<boolean> {
    return this.model().dpkgInterrupted ?? false;
  }

  async repairDpkg(): Promise<CommandOutcome> {
    const out = this.record(['dpkg', '--configure', '-a', '--force-confold']);
    this.update((m) => delete m.dpkgInterrupted);
    return out;
  }

  async installPackages(specs: readonly { name: string; version: string }[]): Promise<CommandOutcome> {
    const out = this.record([
      'apt-get',
      'install',
      '-y',
      ...specs.map((s) => (s.version ? `${s.name}=${s.version}` : s.name)),
    ]);
    this.update((m) => {
      for (const s of specs)
        m.packages[s.name] = { version: s.version || 'sim', held: m.packages[s.name]?.held ?? false };
    });
    return out;
  }

  async holdPackages(names: readonly string[]): Promise<CommandOutcome> {
    const out = this.record(['apt-mark', 'hold', ...names]);
    this.update((m) => {
      for (const n of names) if (m.packages[n]) m.packages[n].held = true;
    });
    return out;
  }

  async unitStatus(unit: string): Promise<UnitStatus> {
    return this.model().units[unit] ?? { enabled: false, active: false, masked: false };
  }

  async unitAction(unit: string, action: UnitAction): Promise<CommandOutcome> {
    const out = this.record(action === 'daemon-reload' ? ['systemctl', action] : ['systemctl', action, unit]);
    this.update((m) => {
      const u = (m.units[unit] ??= { enabled: false, active: false, masked: false });
      if (action === 'enable') u.enabled = true;
      if (action === 'disable') u.enabled = false;
      if (action === 'start' || action === 'restart') u.active = true;
      if (action === 'stop') u.active = false;
      if (action === 'mask') u.masked = true;
      if (action === 'unmask') u.masked = false;
    });
    return out;
  }

  async moduleLoaded(name: string): Promise<boolean> {
    return this.model().modules.includes(name);
  }

  async loadModule(name: string): Promise<CommandOutcome> {
    const out = this.record(['modprobe', name]);
    this.update((m) => void m.modules.push(name));
    return out;
  }

  async readSysctl(key: string): Promise<string | undefined> {
    return this.model().sysctls[key];
  }

  async writeSysctl(key: string, value: string): Promise<CommandOutcome> {
    const out = this.record(['sysctl', '-w', `${key}=${value}`]);
    this.update((m) => void (m.sysctls[key] = value));
    return out;
  }
}
