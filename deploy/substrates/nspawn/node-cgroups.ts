/**
 * A cgroup of its own, in every hierarchy of a cgroup v1 host (legacy or
 * hybrid, as this lab's machine is), for each lab container.
 *
 * nspawn gives the container a cgroup namespace rooted at the cgroup it
 * starts in: started in `kubedos-<machine>`, the container's systemd (and
 * nspawn's payload) live under it, not in one cgroup all containers share,
 * and are removed with it; a kubelet sees that cgroup as its root and makes
 * kubepods.slice under it, so six kubelets on one host never share a cgroup
 * (no per-node cgroupRoot needed). nspawn mounts the v1 controllers
 * read-only; a kubelet container's own unit (CONTAINER_CGROUP_UNIT) makes
 * them writable, inside its own namespace only. On a cgroup v2 host nspawn
 * delegates the container's unified subtree itself and none of this is made.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';

/** True when the host runs cgroup v1 controllers (legacy or hybrid), as its mounts show. */
export function hostHasCgroupV1(): boolean {
  return hostHierarchies().length > 0;
}

/**
 * Each v1 hierarchy mounted under /sys/fs/cgroup, and on a hybrid host the
 * unified one beside them (/sys/fs/cgroup/unified, where nspawn tracks its
 * payload), with the cgroup this process is in there.
 */
function hostHierarchies(): { dir: string; own: string }[] {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .map((f) => ({ dir: f[4] ?? '', type: f[f.indexOf('-') + 1], options: (f[f.indexOf('-') + 3] ?? '').split(',') }))
    .filter((m) => (m.type === 'cgroup' || m.type === 'cgroup2') && m.dir.startsWith(`${ROOT}/`));
  const own = fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(':'));
  if (!mounts.some((m) => m.type === 'cgroup')) return [];
  return mounts.flatMap((m) => {
    const line =
      m.type === 'cgroup2'
        ? own.find((f) => f[0] === '0' && f[1] === '')
        : own.find((f) => f[1] !== '' && f[1]!.split(',').every((c) => m.options.includes(c)));
    return line ? [{ dir: m.dir, own: line[2]! }] : [];
  });
}

/**
 * `<own cgroup>/kubedos-<machine>` in every hierarchy. Nested under this
 * process's own cgroup: whatever limits the deployer runs under bound the
 * lab too.
 */
export function nodeCgroupDirs(machine: string): string[] {
  return hostHierarchies().map((h) => path.join(h.dir, h.own, `kubedos-${machine}`));
}

/** Makes the cgroups (cpuset's gets its parent's cpus and mems, without which no task may join it). */
export function makeNodeCgroups(dirs: readonly string[]): void {
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    if (fs.existsSync(path.join(dir, 'cpuset.cpus')))
      for (const f of ['cpuset.cpus', 'cpuset.mems'])
        if (fs.readFileSync(path.join(dir, f), 'utf8').trim() === '')
          fs.writeFileSync(path.join(dir, f), fs.readFileSync(path.join(path.dirname(dir), f)));
  }
}

/** sh's argv that moves itself into each cgroup, then execs argv: what it starts is born in them. */
export function inCgroups(dirs: readonly string[], argv: readonly string[]): string[] {
  const join = 'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f"; shift; done; shift; exec "$@"';
  return ['sh', '-ec', join, 'sh', ...dirs.map((d) => `${d}/cgroup.procs`), '--', ...argv];
}

/**
 * Removes a node's cgroups and whatever its kubelet and systemd made under
 * them (empty once the container is gone: rmdir, deepest first). One still
 * holding a task is left, and returned.
 */
export function removeNodeCgroups(dirs: readonly string[]): string[] {
  const left: string[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const d of subdirsDeepestFirst(dir))
      try {
        fs.rmdirSync(d);
      } catch {
        left.push(d);
      }
  }
  return left;
}

function subdirsDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) out.push(...subdirsDeepestFirst(path.join(dir, e.name)));
  out.push(dir);
  return out;
}

/**
 * The unit the nspawn substrate adds to a kubelet container on a v1 host:
 * before containerd and the kubelet start, it remounts the container's
 * cgroup v1 controllers read-write. With the cgroup namespace, each of them
 * is the container's own `kubedos-<machine>` subtree, nothing of the host's.
 */
export const CONTAINER_CGROUP_UNIT = {
  path: '/etc/systemd/system/kubedos-lab-cgroups.service',
  wants: '/etc/systemd/system/multi-user.target.wants/kubedos-lab-cgroups.service',
  content: `[Unit]
Description=kubedos nspawn lab: this container's own cgroup v1 controllers writable (docs/nodes.md)
DefaultDependencies=no
After=local-fs.target
Before=containerd.service kubelet.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -ec 'findmnt --raw --noheadings --types cgroup --output TARGET | while read -r m; do mount -o remount,bind,rw "$m"; done'

[Install]
WantedBy=multi-user.target
`,
};
