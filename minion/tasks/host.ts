/**
 * Everything a state does to the machine beyond writing files goes through a
 * Host: the real one runs the system's tools with execa (argv, never a shell
 * string); the recording one (the sim) writes each command to a journal under
 * the node's root and keeps a small model of what it would have changed, so
 * a second run sees its own effects and reports "unchanged".
 */
export interface CommandOutcome {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
}

export interface InstalledPackage {
  version: string;
  held: boolean;
}

export interface UnitStatus {
  enabled: boolean;
  active: boolean;
  masked: boolean;
  /** systemd is starting it now (at boot, a notify unit such as etcd is "activating" until ready). */
  starting?: boolean;
}

/** daemon-reload is systemd's, not the unit's: it rereads every unit file and drop-in. */
export type UnitAction = 'daemon-reload' | 'enable' | 'disable' | 'start' | 'stop' | 'restart' | 'mask' | 'unmask';

export interface Host {
  readonly root: string;
  /** The sim: probes are journaled and pass, nothing on the network is asked. */
  readonly simulatesProbes: boolean;
  /** The container manager the node runs under ("systemd-nspawn"), or "" on a machine of its own. */
  readonly container: string;
  /** Runs a command; a non-zero exit is an outcome, not an exception. */
  run(argv: readonly string[], opts?: RunOptions): Promise<CommandOutcome>;
  /** Runs a guard (unless/onlyif): only its exit status matters. */
  guard(argv: readonly string[], kind: 'unless' | 'onlyif', opts?: RunOptions): Promise<boolean>;
  /**
   * Told after a guarded command succeeded. The real host has nothing to do
   * (the command itself made its effect); the recording host notes the
   * effect the command would have had, so its guards hold on the next run.
   */
  commandDone(effect: { creates: string; unless: readonly string[]; onlyif: readonly string[] }): Promise<void>;
  installedPackage(name: string): Promise<InstalledPackage | undefined>;
  /** Whether dpkg was stopped mid-way (its journal in /var/lib/dpkg/updates: what makes apt refuse). */
  dpkgInterrupted(): Promise<boolean>;
  /** `dpkg --configure -a`: finishes what an interrupted dpkg left. */
  repairDpkg(signal?: AbortSignal): Promise<CommandOutcome>;
  installPackages(specs: readonly { name: string; version: string }[], signal?: AbortSignal): Promise<CommandOutcome>;
  holdPackages(names: readonly string[]): Promise<CommandOutcome>;
  unitStatus(unit: string): Promise<UnitStatus>;
  unitAction(unit: string, action: UnitAction): Promise<CommandOutcome>;
  moduleLoaded(name: string): Promise<boolean>;
  loadModule(name: string): Promise<CommandOutcome>;
  readSysctl(key: string): Promise<string | undefined>;
  writeSysctl(key: string, value: string): Promise<CommandOutcome>;
}
