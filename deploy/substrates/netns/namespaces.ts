/**
 * A small lab of Linux network namespaces on one bridge, for tests and the
 * netns substrate. Root only. Everything it creates is recorded in a state
 * file BEFORE it is created, so `teardown()` (or a later process opening the
 * same state file after a crash) removes exactly what this lab made and
 * nothing else.
 *
 * Usage:
 *   const lab = NetnsLab.open('/tmp/kdc-lab/state.json', 'kdc');   // names must start with the tag
 *   await lab.addBridge('kdc-br0');                                  // optional address: '10.10.0.254/24'
 *   await lab.addNamespace('kdc-etcd1', { bridge: 'kdc-br0', address: '10.10.0.21/24' });
 *   await lab.exec('kdc-etcd1', ['ip', 'addr']);                     // execa result; throws on non-zero
 *   const pid = lab.spawn('kdc-etcd1', ['etcd', '--name', 'e1'], { logFile: '/tmp/kdc-lab/e1.log' });
 *                                                                    // binds: { '/run/x': '/tmp/kdc-lab/e1-run' } for private dirs
 *   await lab.stopProcess(pid);                                      // SIGTERM, then SIGKILL after 3 s
 *   await lab.teardown();                                            // processes, namespaces, veths, bridge
 *
 * Inside each namespace the LAN interface is `eth0` and `lo` is up; the host
 * end of the veth is `<tag>v<n>`, enslaved to the bridge.
 */
import fs from 'node:fs';
import { spawn as spawnChild } from 'node:child_process';
import { execa, type Options, type Result } from 'execa';
import { checkLabTag, LabRecord } from '../../toolkit/lab-record.ts';
import { UserError } from '../../../shared/errors.ts';
import { withBindMounts, type BindMounts } from '../../../shared/planes/command-runner.ts';
import { procStartTime, signalPid as signal, sleep, stopOwned } from '../../toolkit/owned-process.ts';

export interface LabProcess {
  pid: number;
  ns: string;
  argv: string[];
  /** /proc/<pid>/stat start time, so a recycled pid is never signalled. */
  startTime: string;
}

export interface LabState {
  tag: string;
  nextVeth: number;
  bridges: string[];
  namespaces: { name: string; bridge: string; veth: string; address: string }[];
  processes: LabProcess[];
}

export interface NamespaceOptions {
  bridge: string;
  /** "10.10.0.21/24" on eth0 inside the namespace. */
  address: string;
  gateway?: string;
}

export interface SpawnOptions {
  logFile?: string;
  env?: Record<string, string>;
  /** target → source directories bind-mounted for this process only (e.g. a private /run/wireguard). */
  binds?: BindMounts;
}

const IFNAME_MAX = 15;

export class NetnsLab {
  private readonly rec: LabRecord<LabState>;

  private constructor(rec: LabRecord<LabState>) {
    this.rec = rec;
  }

  /** Opens the lab recorded in stateFile, or starts an empty one with this tag. */
  static open(stateFile: string, tag: string): NetnsLab {
    checkLabTag(tag, 8);
    return new NetnsLab(
      LabRecord.open<LabState>(stateFile, { tag, nextVeth: 0, bridges: [], namespaces: [], processes: [] }),
    );
  }

  /** Opens a lab recorded earlier, whatever its tag (for `down`); undefined when there is none. */
  static openRecorded(stateFile: string): NetnsLab | undefined {
    const rec = LabRecord.read<LabState>(stateFile);
    return rec && new NetnsLab(rec);
  }

  get tag(): string {
    return this.rec.state.tag;
  }

  get namespaces(): readonly string[] {
    return this.rec.state.namespaces.map((n) => n.name);
  }

  get processes(): readonly LabProcess[] {
    return this.rec.state.processes;
  }

  async addBridge(name: string, address?: string): Promise<void> {
    this.checkName(name);
    if (!this.rec.state.bridges.includes(name)) this.rec.change((s) => s.bridges.push(name));
    if (!(await linkExists(name))) await execa('ip', ['link', 'add', name, 'type', 'bridge']);
    if (address) await execa('ip', ['addr', 'replace', address, 'dev', name]);
    await execa('ip', ['link', 'set', name, 'up']);
  }

  async addNamespace(name: string, opts: NamespaceOptions): Promise<void> {
    this.checkName(name);
    let entry = this.rec.state.namespaces.find((n) => n.name === name);
    if (!entry) {
      const veth = `${this.rec.state.tag}v${this.rec.state.nextVeth}`;
      if (veth.length > IFNAME_MAX) throw new UserError(`interface name ${veth} is too long`);
      entry = { name, bridge: opts.bridge, veth, address: opts.address };
      const e = entry;
      this.rec.change((s) => {
        s.nextVeth += 1;
        s.namespaces.push(e);
      });
    }
    if (!(await namespaceExists(name))) await execa('ip', ['netns', 'add', name]);
    if (!(await linkExists(entry.veth))) {
      await execa('ip', ['link', 'add', entry.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
    }
    await execa('ip', ['link', 'set', entry.veth, 'master', opts.bridge, 'up']);
    await this.exec(name, ['ip', 'link', 'set', 'lo', 'up']);
    await this.exec(name, ['ip', 'addr', 'replace', opts.address, 'dev', 'eth0']);
    await this.exec(name, ['ip', 'link', 'set', 'eth0', 'up']);
    if (opts.gateway) await this.exec(name, ['ip', 'route', 'replace', 'default', 'via', opts.gateway]);
  }

  /** Runs argv inside the namespace (no shell); throws on a non-zero exit unless reject: false. */
  exec(ns: string, argv: string[], opts: Options = {}): Promise<Result> {
    this.checkNamespace(ns);
    return execa('ip', ['netns', 'exec', ns, ...argv], opts) as unknown as Promise<Result>;
  }

  /** Starts a long-running process inside the namespace, detached, and records it. Returns its pid. */
  spawn(ns: string, argv: string[], opts: SpawnOptions = {}): number {
    this.checkNamespace(ns);
    const out = opts.logFile ? fs.openSync(opts.logFile, 'a', 0o600) : 'ignore';
    // `ip netns exec` (and the bind-mount wrapper) exec the command in place, so the pid is the command's.
    const child = spawnChild('ip', ['netns', 'exec', ns, ...withBindMounts(argv, opts.binds)], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...opts.env },
    });
    if (typeof out === 'number') fs.closeSync(out);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${argv[0]} in ${ns}`);
    child.unref();
    const proc = { pid, ns, argv, startTime: procStartTime(pid) ?? '' };
    this.rec.change((s) => s.processes.push(proc));
    return pid;
  }

  /** True while a recorded process is still the one this lab started. */
  isRunning(pid: number): boolean {
    const p = this.rec.state.processes.find((x) => x.pid === pid);
    return p !== undefined && procStartTime(pid) === p.startTime;
  }

  async stopProcess(pid: number): Promise<void> {
    const p = this.rec.state.processes.find((x) => x.pid === pid);
    if (!p) return;
    await stopOwned(p);
    this.rec.change((s) => (s.processes = s.processes.filter((x) => x.pid !== pid)));
  }

  /** Removes namespace `name`: its processes, its veth, the namespace. */
  async removeNamespace(name: string): Promise<void> {
    const entry = this.rec.state.namespaces.find((n) => n.name === name);
    if (!entry) return;
    for (const p of this.rec.state.processes.filter((x) => x.ns === name)) await this.stopProcess(p.pid);
    await killNamespacePids(name);
    await execa('ip', ['netns', 'del', name], { reject: false });
    await execa('ip', ['link', 'del', entry.veth], { reject: false });
    this.rec.change((s) => (s.namespaces = s.namespaces.filter((n) => n.name !== name)));
  }

  /** Removes everything recorded: processes, namespaces, veths, bridges; then the state file. */
  async teardown(): Promise<void> {
    await Promise.all(this.rec.state.processes.map((p) => stopOwned(p)));
    this.rec.change((s) => (s.processes = []));
    await Promise.all(this.rec.state.namespaces.map((ns) => this.removeNamespace(ns.name)));
    for (const br of [...this.rec.state.bridges]) {
      await execa('ip', ['link', 'del', br], { reject: false });
      this.rec.change((s) => (s.bridges = s.bridges.filter((b) => b !== br)));
    }
    this.rec.remove();
  }

  private checkName(name: string): void {
    if (!name.startsWith(this.rec.state.tag) || name.length > IFNAME_MAX || !/^[a-z0-9-]+$/.test(name)) {
      throw new UserError(
        `"${name}" must start with "${this.rec.state.tag}", be at most ${IFNAME_MAX} chars of [a-z0-9-]`,
      );
    }
  }

  private checkNamespace(ns: string): void {
    if (!this.rec.state.namespaces.some((n) => n.name === ns))
      throw new Error(`namespace ${ns} is not part of this lab`);
  }
}

async function linkExists(name: string): Promise<boolean> {
  return (await execa('ip', ['link', 'show', name], { reject: false })).exitCode === 0;
}

async function namespaceExists(name: string): Promise<boolean> {
  return fs.existsSync(`/run/netns/${name}`);
}

/** Anything still inside one of our namespaces was started there by us (or by what we started). */
async function killNamespacePids(ns: string): Promise<void> {
  if (!(await namespaceExists(ns))) return;
  for (let round = 0; round < 2; round++) {
    const res = await execa('ip', ['netns', 'pids', ns], { reject: false });
    const pids = res.stdout.split(/\s+/).filter(Boolean).map(Number);
    if (pids.length === 0) return;
    for (const pid of pids) signal(pid, round === 0 ? 'SIGTERM' : 'SIGKILL');
    await sleep(round === 0 ? 500 : 100);
  }
}
