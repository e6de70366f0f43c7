import fs from 'node:fs';
import { execa } from 'execa';
import { detectContainer } from '../facts.ts';
import type { CommandOutcome, Host, InstalledPackage, RunOptions, UnitAction, UnitStatus } from './host.ts';

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

/** What a module provides, for kernels that have it built in. */
const BUILT_IN_EVIDENCE: Record<string, () => boolean> = {
  overlay: () => /\boverlay$/m.test(fs.readFileSync('/proc/filesystems', 'utf8')),
  br_netfilter: () => fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables'),
};

/**
 * dpkg takes one writer at a time, and a node runs its tasks in parallel
 * (each with its own RealHost): apt-get waits for dpkg's lock
 * (DPkg::Lock::Timeout) but apt-mark's dpkg --set-selections does not, so
 * every package change the minion makes takes its turn here.
 */
let dpkgTurn: Promise<unknown> = Promise.resolve();

function inDpkgTurn<T>(work: () => Promise<T>): Promise<T> {
  const mine = dpkgTurn.then(work, work);
  dpkgTurn = mine.catch(() => undefined);
  return mine;
}

/** The machine itself: systemd, apt/dpkg, modprobe, sysctl. */
export class RealHost implements Host {
  readonly root = '/';
  readonly simulatesProbes = false;
  readonly container = detectContainer();

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandOutcome> {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty argv');
    const result = await execa(file, args, {
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: opts.timeoutMs || undefined,
      cancelSignal: opts.signal,
      env: opts.env,
      cwd: opts.cwd || undefined,
      forceKillAfterDelay: 2000,
    });
    // No exit status: it never started (ENOENT: not installed), ran out of time, or a signal ended it.
    // Said in the program's name only: the rest of an argv may hold a secret.
    const why =
      typeof result.exitCode === 'number' || result.timedOut
        ? ''
        : result.signal
          ? `${file} was killed by ${result.signal}`
          : `${file} could not be started${result.code ? ` (${result.code})` : ''}`;
    const output = [result.all ?? '', why].filter(Boolean).join('\n');
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : result.failed ? 127 : 0;
    return { exitCode: result.failed && exitCode === 0 ? 1 : exitCode, output, timedOut: result.timedOut };
  }

  async guard(argv: readonly string[], _kind: 'unless' | 'onlyif', opts?: RunOptions): Promise<boolean> {
    return (await this.run(argv, opts)).exitCode === 0;
  }

  async commandDone(): Promise<void> {}

  async installedPackage(name: string): Promise<InstalledPackage | undefined> {
    const q = await this.run(['dpkg-query', '-W', '-f=${db:Status-Abbrev} ${Version}', name]);
    // db:Status-Abbrev: the wanted state (i install, h hold, …), then the current one (i: installed).
    if (q.exitCode !== 0 || q.output[1] !== 'i') return undefined;
    const version = q.output.trim().split(/\s+/)[1] ?? '';
    const holds = await this.run(['apt-mark', 'showhold', name]);
    return { version, held: holds.output.split('\n').includes(name) };
  }

  async dpkgInterrupted(): Promise<boolean> {
    // What apt itself looks at before it refuses with "dpkg was interrupted": dpkg's journal of unfinished
    // updates. A read of one directory, not a dpkg run per package task (each costs seconds on a slow VM).
    try {
      return fs.readdirSync('/var/lib/dpkg/updates').some((n) => /^\d+$/.test(n));
    } catch {
      return false;
    }
  }

  repairDpkg(signal?: AbortSignal): Promise<CommandOutcome> {
    return inDpkgTurn(() =>
      this.run(['dpkg', '--configure', '-a', '--force-confold'], { env: APT_ENV, ...(signal ? { signal } : {}) }),
    );
  }

  installPackages(specs: readonly { name: string; version: string }[], signal?: AbortSignal): Promise<CommandOutcome> {
    const names = specs.map((s) => (s.version ? `${s.name}=${s.version}` : s.name));
    return inDpkgTurn(() =>
      this.run(
        [
          'apt-get',
          'install',
          '-y',
          '-q',
          '--no-install-recommends',
          '--allow-downgrades',
          '--allow-change-held-packages',
          '-o',
          'Dpkg::Options::=--force-confold',
          // Tasks on one node run in parallel: wait for dpkg's lock rather than fail on it.
          '-o',
          'DPkg::Lock::Timeout=600',
          ...names,
        ],
        { env: APT_ENV, signal },
      ),
    );
  }

  holdPackages(names: readonly string[]): Promise<CommandOutcome> {
    return inDpkgTurn(() => this.run(['apt-mark', 'hold', ...names]));
  }

  async unitStatus(unit: string): Promise<UnitStatus> {
    const enabled = (await this.run(['systemctl', 'is-enabled', unit])).output.trim();
    const active = await this.run(['systemctl', 'is-active', unit]);
    // Starting: systemd runs its start now, or has a start job for it queued (a node still booting).
    const starting =
      active.output.trim() === 'activating' ||
      (active.exitCode !== 0 &&
        / start /.test((await this.run(['systemctl', 'list-jobs', '--no-legend', unit])).output));
    return {
      enabled: enabled === 'enabled',
      masked: enabled.startsWith('masked'),
      active: active.exitCode === 0,
      starting,
    };
  }

  async unitAction(unit: string, action: UnitAction): Promise<CommandOutcome> {
    if (action === 'daemon-reload') return this.run(['systemctl', action]);
    const since = Math.floor(Date.now() / 1000) - 1;
    const out = await this.run(['systemctl', action, unit]);
    if (out.exitCode === 0 || !(action === 'start' || action === 'restart')) return out;
    // systemctl only says the start failed; the unit's own words since then say why.
    const log = await this.run([
      'journalctl',
      '--no-pager',
      '-o',
      'short-precise',
      '-n',
      '30',
      '-u',
      unit,
      `--since=@${since}`,
    ]);
    const said = out.output.trimEnd();
    return { ...out, output: `${said ? `${said}\n` : ''}journalctl -u ${unit}:\n${log.output}` };
  }

  async moduleLoaded(name: string): Promise<boolean> {
    // Built into the kernel, a module without parameters has no /sys/module entry: look for what it provides.
    const builtIn = BUILT_IN_EVIDENCE[name];
    return fs.existsSync(`/sys/module/${name}`) || (builtIn !== undefined && builtIn());
  }

  loadModule(name: string): Promise<CommandOutcome> {
    return this.run(['modprobe', name]);
  }

  async readSysctl(key: string): Promise<string | undefined> {
    try {
      return fs.readFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  writeSysctl(key: string, value: string): Promise<CommandOutcome> {
    return this.run(['sysctl', '-w', `${key}=${value}`]);
  }
}
