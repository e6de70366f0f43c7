/**
 * A lab of systemd-nspawn containers on one bridge (root, Linux). Each
 * container boots the platform image with systemd as PID 1, on its own
 * copy-on-write root (an overlay: the unpacked image below, the node's own
 * layer above), with a private network: a veth whose host end nspawn
 * enslaves to the lab's bridge (inside it is `host0`).
 *
 * Everything is recorded in a state file BEFORE it is made, so teardown()
 * (or `kubedos down` after a crash) removes exactly what this lab made:
 * the container processes, the overlay mounts and layers, the bridge.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { UserError } from '../../../shared/errors.ts';
import { checkLabTag, LabRecord } from '../../toolkit/lab-record.ts';
import { isAlive, procStartTime, signalPid, sleep, stopOwned, type OwnedProcess } from '../../toolkit/owned-process.ts';
import { hostHasCgroupV1, inCgroups, makeNodeCgroups, nodeCgroupDirs, removeNodeCgroups } from './node-cgroups.ts';
import { pollUntil } from '../../toolkit/poll.ts';

export interface ContainerRecord {
  name: string;
  /** Machine name (nspawn --machine), also the source of the host veth name vb-<machine>. */
  machine: string;
  dir: string;
  mounted: boolean;
  /** The unpacked image under this container's own layer. */
  lowerDir?: string;
  process?: OwnedProcess;
  /** The container's own cgroups (node-cgroups.ts), recorded before they are made. */
  cgroups?: string[];
  /** It runs a kubelet: booted with kubeletArgs (and again so after a restart). */
  kubelet?: boolean;
}

/**
 * nspawn's own seccomp filter off for a kubelet container, as a privileged
 * container runs (kind's nodes): with it, runc fails to start any pod
 * ("can't get final child's PID from pipe: EOF").
 */
const KUBELET_NSPAWN_ENV = { SYSTEMD_SECCOMP: '0' };

export interface LabState {
  tag: string;
  bridge?: string;
  /** Host sysctls the lab raised, with the value to put back at teardown. */
  raisedSysctls?: Record<string, string>;
  containers: ContainerRecord[];
}

const IFNAME_MAX = 15;

/**
 * The kernel tunables a kubelet's container manager sets where they differ
 * (Kubernetes' setupKernelTunables, with protectKernelDefaults off): in a
 * container it cannot (read-only /proc/sys, the host's kernel), so the lab
 * sets them on the host for as long as it is up.
 */
export const KUBELET_KERNEL_TUNABLES: Readonly<Record<string, number>> = {
  'vm.overcommit_memory': 1,
  'vm.panic_on_oom': 0,
  'kernel.panic': 10,
  'kernel.panic_on_oops': 1,
  'kernel.keys.root_maxkeys': 1_000_000,
  'kernel.keys.root_maxbytes': 25_000_000,
};

export class NspawnLab {
  private readonly rec: LabRecord<LabState>;

  private constructor(rec: LabRecord<LabState>) {
    this.rec = rec;
  }

  /** Opens the lab recorded in stateFile, or starts an empty one with this tag. */
  static open(stateFile: string, tag: string): NspawnLab {
    checkLabTag(tag, 6);
    return new NspawnLab(
      LabRecord.read<LabState>(stateFile) ?? LabRecord.open<LabState>(stateFile, { tag, containers: [] }),
    );
  }

  /** Opens a lab recorded earlier, whatever its tag (for `down`); undefined when there is none. */
  static openRecorded(stateFile: string): NspawnLab | undefined {
    const rec = LabRecord.read<LabState>(stateFile);
    return rec && new NspawnLab(rec);
  }

  get tag(): string {
    return this.rec.state.tag;
  }

  get bridge(): string | undefined {
    return this.rec.state.bridge;
  }

  get containers(): readonly ContainerRecord[] {
    return this.rec.state.containers;
  }

  container(name: string): ContainerRecord {
    const c = this.rec.state.containers.find((x) => x.name === name);
    if (!c) throw new Error(`container ${name} is not part of this lab`);
    return c;
  }

  /** The container's root as the host sees it (the overlay's merged view). */
  rootOf(name: string): string {
    return path.join(this.container(name).dir, 'root');
  }

  /**
   * Raises a host sysctl to at least `min` (recorded first, restored at
   * teardown). Every container's systemd, journald and each wireguard-go
   * take inotify instances from the one host root user: 128 (the default)
   * runs out at about a dozen containers ("Failed to listen on uapi socket:
   * too many open files").
   */
  raiseSysctl(key: string, min: number): { from: string; to: string } | undefined {
    return this.changeSysctl(key, min, (now) => now >= min);
  }

  /** Sets a host sysctl to exactly `value` (unless it is), recorded like a raise and put back at teardown. */
  setSysctl(key: string, value: number): { from: string; to: string } | undefined {
    return this.changeSysctl(key, value, (now) => now === value);
  }

  private changeSysctl(key: string, to: number, fine: (now: number) => boolean) {
    const file = `/proc/sys/${key.replaceAll('.', '/')}`;
    const now = fs.readFileSync(file, 'utf8').trim();
    if (fine(Number(now))) return undefined;
    if (!this.rec.state.raisedSysctls?.[key])
      this.rec.change((s) => (s.raisedSysctls = { ...s.raisedSysctls, [key]: now }));
    fs.writeFileSync(file, String(to));
    return { from: now, to: String(to) };
  }

  async addBridge(): Promise<string> {
    const name = `${this.rec.state.tag}-lan`;
    if (!this.rec.state.bridge) this.rec.change((s) => (s.bridge = name));
    const exists = (await execa('ip', ['link', 'show', name], { reject: false })).exitCode === 0;
    if (!exists) {
      const r = await execa('ip', ['link', 'add', name, 'type', 'bridge'], { reject: false });
      if (r.exitCode !== 0)
        throw new UserError(
          `cannot create bridge ${name}: ${r.stderr.trim()}`,
          'the nspawn substrate needs bridge support',
        );
    }
    await execa('ip', ['link', 'set', name, 'up']);
    return name;
  }

  /**
   * Gives the host an address on the bridge (the topology's LAN gateway):
   * the operator's kubectl and hubctl on the host reach the API VIP. Gone
   * with the bridge at teardown.
   */
  async addHostAddress(cidrAddress: string): Promise<void> {
    const r = await execa('ip', ['address', 'replace', cidrAddress, 'dev', this.bridge!], { reject: false });
    if (r.exitCode !== 0)
      throw new UserError(`cannot give the host ${cidrAddress} on ${this.bridge}: ${r.stderr.trim()}`);
  }

  /** Mounts the container's copy-on-write root: lower = the unpacked image, upper = the node's own layer. */
  async addContainer(name: string, lowerDir: string, dir: string, shortId: number): Promise<string> {
    // The host end of the veth is vb-<machine>, at most 15 characters: the node's name when it fits, else its id.
    const byName = `${this.rec.state.tag}-${name}`;
    const machine = `vb-${byName}`.length <= IFNAME_MAX ? byName : `${this.rec.state.tag}-${shortId}`;
    if (!/^[a-z0-9-]+$/.test(machine) || `vb-${machine}`.length > IFNAME_MAX)
      throw new UserError(`container name ${machine} must be [a-z0-9-] and short enough for a veth name`);
    const known = this.rec.state.containers.find((c) => c.name === name);
    if (!known) {
      // nspawn would fail later with "Failed to add new veth interfaces: File exists", after the rest had started.
      if ((await execa('ip', ['link', 'show', `vb-${machine}`], { reject: false })).exitCode === 0)
        throw new UserError(
          `a container named ${machine} is already running here (its veth vb-${machine} exists)`,
          'stop that lab with "kubedos down --substrate nspawn --run-dir DIR", or pick another lab tag',
        );
      this.rec.change((s) => s.containers.push({ name, machine, dir, mounted: false }));
    }
    for (const d of ['upper', 'work', 'root']) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o755 });
    const root = path.join(dir, 'root');
    if (!(await isMountPoint(root))) {
      this.rec.change(() => Object.assign(this.container(name), { mounted: true, lowerDir }));
      const opts = `lowerdir=${lowerDir},upperdir=${path.join(dir, 'upper')},workdir=${path.join(dir, 'work')}`;
      const r = await execa('mount', ['-t', 'overlay', 'overlay', '-o', opts, root], { reject: false });
      if (r.exitCode !== 0)
        throw new UserError(`cannot mount the overlay root of ${name}: ${r.stderr.trim()}`, 'the host needs overlayfs');
    }
    return root;
  }

  /** Stops the container and throws its own layer away: the same image, a blank disk. Returns the root. */
  async resetContainer(name: string): Promise<string> {
    const c = this.container(name);
    await this.stop(name);
    await unmount(path.join(c.dir, 'root'));
    for (const d of ['upper', 'work', 'containerd']) fs.rmSync(path.join(c.dir, d), { recursive: true, force: true });
    if (!c.lowerDir) throw new Error(`no recorded image layer for ${name}`);
    return this.addContainer(name, c.lowerDir, c.dir, 0);
  }

  /**
   * Boots the container (systemd as PID 1) in its own cgroups; its console
   * goes to logFile. A container that runs a kubelet (runsKubelet; unsaid,
   * as it was recorded) gets kubeletArgs besides.
   */
  boot(name: string, bridge: string, logFile: string, hostname: string, runsKubelet?: boolean): OwnedProcess {
    const c = this.container(name);
    if (c.process && isAlive(c.process)) return c.process;
    if (runsKubelet !== undefined && c.kubelet !== runsKubelet)
      this.rec.change(() => (this.container(name).kubelet = runsKubelet));
    const kubelet = c.kubelet ?? false;
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const nspawn = [
      'systemd-nspawn',
      `--directory=${path.join(c.dir, 'root')}`,
      '--boot',
      '--register=no',
      '--keep-unit',
      `--machine=${c.machine}`,
      `--hostname=${hostname}`,
      `--network-bridge=${bridge}`,
      '--console=read-only',
      '--resolv-conf=off',
      '--timezone=off',
      '--link-journal=no',
      ...(kubelet ? this.kubeletArgs(name) : []),
    ];
    // Every container in its own cgroups (nspawn's payload included), removed when it stops.
    const cgroups = hostHasCgroupV1() ? this.nodeCgroups(name) : [];
    const argv = cgroups.length ? inCgroups(cgroups, nspawn) : nspawn;
    const out = fs.openSync(logFile, 'a', 0o600);
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...(kubelet ? KUBELET_NSPAWN_ENV : {}) },
    });
    fs.closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new UserError(`could not start systemd-nspawn for ${name}`);
    const proc = { pid: child.pid, startTime: procStartTime(child.pid) ?? '' };
    this.rec.change(() => (this.container(name).process = proc));
    return proc;
  }

  /** nspawn's options for a kubelet container, roughly what kind's privileged node container gets. */
  private kubeletArgs(name: string): string[] {
    // containerd's state on the host's filesystem: its overlayfs snapshotter cannot stack on the container's overlay root.
    const containerd = path.join(this.container(name).dir, 'containerd');
    fs.mkdirSync(containerd, { recursive: true, mode: 0o700 });
    return [
      // containerd, runc and the kubelet need what a privileged container has: mounts, namespaces, devices.
      '--capability=all',
      // The kubelet's OOM watcher reads the kernel log.
      '--bind=/dev/kmsg',
      `--bind=${containerd}:/var/lib/containerd`,
    ];
  }

  /** The node's own cgroups, recorded before they are made. */
  private nodeCgroups(name: string): string[] {
    const c = this.container(name);
    if (!c.cgroups) {
      const dirs = nodeCgroupDirs(c.machine);
      this.rec.change(() => (this.container(name).cgroups = dirs));
    }
    makeNodeCgroups(c.cgroups!);
    return c.cgroups!;
  }

  isRunning(name: string): boolean {
    const p = this.container(name).process;
    return p !== undefined && isAlive(p);
  }

  /** The pid of the container's init (systemd), for nsenter. */
  initPid(name: string): number | undefined {
    const p = this.container(name).process;
    if (!p || !isAlive(p)) return undefined;
    // nspawn forks once; the container's PID 1 is that child's child (or the child itself).
    const child = childrenOf(p.pid)[0];
    return child === undefined ? undefined : (childrenOf(child)[0] ?? child);
  }

  /** Resolves once the container's init runs (nspawn has forked it); rejects if nspawn exits first. */
  async waitForInit(name: string, timeoutMs = 30_000): Promise<number> {
    return pollUntil({
      what: `the container ${name}`,
      probe: () => this.initPid(name),
      probeErrorsEnd: true,
      everyMs: 100,
      withinMs: timeoutMs,
      stopped: () => (this.isRunning(name) ? undefined : `the container ${name} stopped while booting`),
      late: () => new UserError(`the container ${name} did not start within ${timeoutMs / 1000} s`),
    });
  }

  /** Runs argv inside the container (all its namespaces), as its root. */
  exec(name: string, argv: string[], opts: { reject?: boolean; timeoutMs?: number } = {}) {
    const pid = this.initPid(name);
    if (!pid) throw new Error(`container ${name} is not running`);
    return execa('nsenter', ['--target', String(pid), '--all', '--', ...argv], {
      reject: opts.reject ?? true,
      timeout: opts.timeoutMs ?? 60_000,
    });
  }

  /** Powers the container off (SIGTERM makes nspawn ask its systemd to shut down), then SIGKILL after graceMs. */
  async stop(name: string, graceMs = 20_000): Promise<void> {
    const c = this.container(name);
    if (c.process && isAlive(c.process)) {
      // Known before nspawn goes: if nspawn is killed, its container's init lives on, orphaned, with
      // every daemon inside; killing that init ends the container's whole PID namespace.
      const init = this.initPid(name);
      signalPid(c.process.pid, 'SIGTERM');
      for (let waited = 0; waited < graceMs && isAlive(c.process); waited += 100) await sleep(100);
      if (init && isAlive(c.process)) signalPid(init, 'SIGKILL');
      await stopOwned(c.process, 5_000);
      await this.releaseVeth(c.machine);
    }
    this.rec.change(() => delete this.container(name).process);
    if (c.cgroups) {
      // The container's processes leave its cgroups as they die: a few tries before one counts as left over.
      let left = removeNodeCgroups(c.cgroups);
      for (let i = 0; left.length && i < 50; i++) {
        await sleep(100);
        left = removeNodeCgroups(c.cgroups);
      }
      if (left.length === 0) this.rec.change(() => delete this.container(name).cgroups);
    }
  }

  /**
   * The kernel takes a stopped container's network namespace down after its
   * last process, and the host end of its veth with it, a moment later
   * (seconds under load; a container killed outright is the slow case). The
   * next boot under this name fails on a veth still there ("Failed to add new
   * veth interfaces: File exists"), so it is waited for, then deleted: no
   * process of ours holds it any more.
   */
  private async releaseVeth(machine: string): Promise<void> {
    const veth = `vb-${machine}`;
    const exists = async () => (await execa('ip', ['link', 'show', veth], { reject: false })).exitCode === 0;
    for (let i = 0; i < 50 && (await exists()); i++) await sleep(100);
    if (await exists()) await execa('ip', ['link', 'delete', veth], { reject: false });
  }

  /** Everything recorded: containers (stopped, unmounted, layers removed), the bridge; then the state file. */
  async teardown(): Promise<void> {
    await Promise.all(this.rec.state.containers.map((c) => this.stop(c.name)));
    for (const c of [...this.rec.state.containers]) {
      await unmount(path.join(c.dir, 'root'));
      fs.rmSync(c.dir, { recursive: true, force: true });
      this.rec.change((s) => (s.containers = s.containers.filter((x) => x.name !== c.name)));
    }
    if (this.rec.state.bridge) {
      await execa('ip', ['link', 'del', this.rec.state.bridge], { reject: false });
      this.rec.change((s) => delete s.bridge);
    }
    for (const [key, value] of Object.entries(this.rec.state.raisedSysctls ?? {})) {
      fs.writeFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, value);
      this.rec.change((s) => delete s.raisedSysctls![key]);
    }
    this.rec.remove();
  }
}

function childrenOf(pid: number): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function unmount(root: string): Promise<void> {
  if (!(await isMountPoint(root))) return;
  const r = await execa('umount', [root], { reject: false });
  if (r.exitCode !== 0) await execa('umount', ['--lazy', root], { reject: false });
}

async function isMountPoint(dir: string): Promise<boolean> {
  if (!fs.existsSync(dir)) return false;
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const real = fs.realpathSync(dir);
  return mounts.split('\n').some((l) => l.split(' ')[4] === real);
}
