import fs from 'node:fs';
import path from 'node:path';
import type { NetnsLab } from '../../deploy/substrates/netns/namespaces.ts';
import type {
  CommandOutcome,
  Host,
  InstalledPackage,
  RunOptions,
  UnitAction,
  UnitStatus,
} from '../../minion/tasks/host.ts';
import { RecordingHost } from '../../minion/tasks/recording-host.ts';
import { underRoot } from '../../minion/tasks/paths.ts';
import { parseEnvFile } from '../../hub/plan/render/etcd-env.ts';

/**
 * A node of the real-etcd test: packages and everything else are recorded
 * as in the sim, but the etcd "unit" is Debian's etcd binary started in the
 * node's network namespace from the very /etc/default/etcd the plan wrote
 * (no systemd in the container; paths are taken under the node's root), and
 * probes are real.
 */
export class LabHost implements Host {
  readonly root: string;
  readonly simulatesProbes = false;
  readonly container = '';
  private readonly inner: RecordingHost;
  private readonly lab: NetnsLab;
  private readonly ns: string;
  private readonly logFile: string;
  pid: number | undefined;

  constructor(root: string, lab: NetnsLab, ns: string, logFile: string) {
    this.root = root;
    this.inner = new RecordingHost(root);
    this.lab = lab;
    this.ns = ns;
    this.logFile = logFile;
  }

  /** etcdctl and etcdutl (snapshots and restores) run for real, on the paths the state gives; everything else is recorded. */
  async run(argv: readonly string[], opts?: RunOptions): Promise<CommandOutcome> {
    if (argv[0] !== 'etcdctl' && argv[0] !== 'etcdutl') return this.inner.run(argv, opts);
    const r = await this.lab.exec(this.ns, [...argv], { env: opts?.env ?? {}, reject: false });
    return { exitCode: r.exitCode ?? 1, output: `${String(r.stdout)}${String(r.stderr)}`, timedOut: false };
  }
  guard(argv: readonly string[], kind: 'unless' | 'onlyif'): Promise<boolean> {
    return this.inner.guard(argv, kind);
  }
  commandDone(effect: { creates: string; unless: readonly string[]; onlyif: readonly string[] }): Promise<void> {
    return this.inner.commandDone(effect);
  }
  installedPackage(name: string): Promise<InstalledPackage | undefined> {
    return this.inner.installedPackage(name);
  }
  dpkgInterrupted(): Promise<boolean> {
    return this.inner.dpkgInterrupted();
  }
  repairDpkg(): Promise<CommandOutcome> {
    return this.inner.repairDpkg();
  }
  installPackages(specs: readonly { name: string; version: string }[]): Promise<CommandOutcome> {
    return this.inner.installPackages(specs);
  }
  holdPackages(names: readonly string[]): Promise<CommandOutcome> {
    return this.inner.holdPackages(names);
  }
  moduleLoaded(name: string): Promise<boolean> {
    return this.inner.moduleLoaded(name);
  }
  loadModule(name: string): Promise<CommandOutcome> {
    return this.inner.loadModule(name);
  }
  readSysctl(key: string): Promise<string | undefined> {
    return this.inner.readSysctl(key);
  }
  writeSysctl(key: string, value: string): Promise<CommandOutcome> {
    return this.inner.writeSysctl(key, value);
  }

  async unitStatus(unit: string): Promise<UnitStatus> {
    const s = await this.inner.unitStatus(unit);
    if (unit !== 'etcd') return s;
    return { ...s, active: this.pid !== undefined && this.lab.isRunning(this.pid) };
  }

  async unitAction(unit: string, action: UnitAction): Promise<CommandOutcome> {
    const out = await this.inner.unitAction(unit, action);
    if (unit !== 'etcd') return out;
    if ((action === 'stop' || action === 'restart') && this.pid !== undefined) {
      await this.lab.stopProcess(this.pid);
      this.pid = undefined;
    }
    if (action === 'start' || action === 'restart') this.pid = this.startEtcd();
    return out;
  }

  private startEtcd(): number {
    // As the unit reads them: the plan's file, then the one the member writes when it joins (it wins).
    const join = underRoot(this.root, '/etc/default/etcd-join');
    const env = {
      ...parseEnvFile(fs.readFileSync(underRoot(this.root, '/etc/default/etcd'), 'utf8')),
      ...(fs.existsSync(join) ? parseEnvFile(fs.readFileSync(join, 'utf8')) : {}),
    };
    for (const [k, v] of Object.entries(env)) if (v.startsWith('/')) env[k] = underRoot(this.root, v);
    fs.mkdirSync(path.dirname(env.ETCD_DATA_DIR!), { recursive: true });
    return this.lab.spawn(this.ns, ['etcd'], { env, logFile: this.logFile });
  }
}
