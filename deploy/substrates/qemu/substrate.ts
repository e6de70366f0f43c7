/**
 * The `qemu` substrate (root, Linux): every topology node is a VM in the
 * Proxmox shape (q35, OVMF Secure Boot with Microsoft's keys, swtpm TPM 2.0,
 * guest agent, virtio-scsi), installed from the one platform ISO and its own
 * seed medium, then booted from its disk with the media detached. The VMs
 * share a private bridge (no host address); the deployer's only way in is
 * the guest agent (hubctl in the master VM). `down` stops the VMs and keeps
 * their disks, so the next `up` boots them without installing again;
 * `--fresh` installs again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { GUEST_AGENT_FILE, type GuestHubRef } from '../../../hub/cli/guest-proxy.ts';
import type { PlatformIso } from '../../../iso-builder/platform-iso.ts';
import { describeInstall, installEnded, lastInstallStatus } from '../../../iso-builder/installer/install-status.ts';
import { UserError } from '../../../shared/errors.ts';
import { masterNode } from '../../../shared/planes/peer-lists.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { linkCurrentHub, unlinkCurrentHub } from '../../toolkit/current-hub.ts';
import { buildDeploymentMedia, type DeploymentMedia } from '../../media/build-media.ts';
import { prepareRun, runDir, upMarker, type RunDir } from '../../toolkit/run-dir.ts';
import type { HubControl } from '../../pipeline/hub-control.ts';
import { millis, type Deployment } from '../../pipeline/pipeline.ts';
import { deployHere, type LocalSubstrate } from '../../pipeline/deploy-here.ts';
import { checkHost } from '../../toolkit/host-check.ts';
import { LabRecord } from '../../toolkit/lab-record.ts';
import { pollUntil } from '../../toolkit/poll.ts';
import { chooseAccelerator, type Accelerator } from './accelerator.ts';
import { isRunning, startDaemonVm, stopDaemonVm, vmPaths, type DaemonVm } from './daemon-vm.ts';
import { GUEST_HUBCTL, guestHubControl, guestHubReady } from '../../pipeline/guest-hub.ts';
import { macFor } from '../../media/node-mac.ts';
import { addBridge, addTap, removeLink, tapName } from './lab-network.ts';
import { sayFor, type LocalUpOptions } from '../../pipeline/up-options.ts';

export const DEFAULT_QEMU_TAG = 'kdq';
/** A TCG install on a busy 2-core machine takes minutes; the deadlines leave room. */
const INSTALL_DEADLINE_MS = 20 * 60_000;
const BOOT_DEADLINE_MS = 15 * 60_000;

export type NodeStage = 'installing' | 'installed' | 'booting' | 'booted' | 'hub up';

export interface QemuUpOptions extends LocalUpOptions {
  extraDebsDir?: string;
  /** Install every node again (new disks, firmware variables and TPM state). */
  fresh?: boolean;
  tag?: string;
  cacheDir?: string;
  accel?: Accelerator | 'auto';
  /** The admin login on every VM, with this SSH public key. */
  admin?: { user: string; sshPublicKey: string };
}

export interface QemuDeployment extends Deployment {
  iso?: PlatformIso;
  accel: Accelerator;
  accelReason: string;
  /** The VMs by node name. */
  vms: Map<string, DaemonVm>;
  /** Nodes installed by this `up` (the others booted the disk they had). */
  installed: string[];
  /** Per node, milliseconds from the start of `up` at which each stage was reached. */
  stages: Record<string, Partial<Record<NodeStage, number>>>;
  timings: { mediaMs?: number; connectedMs?: number; convergedMs?: number };
}

interface QemuLabState {
  tag: string;
  bridge: string;
  taps: string[];
  nodes: string[];
}

const labFile = (run: RunDir) => upMarker(run, 'qemu');
const vmDir = (run: RunDir, node: string) => path.join(run.nodeDir(node), 'vm');
const diskOf = (run: RunDir, node: string) => path.join(run.nodeDir(node), 'disk.qcow2');
const installedMark = (run: RunDir, node: string) => path.join(run.nodeDir(node), 'installed.json');

const checkQemuHost = () =>
  checkHost({
    substrate: 'qemu',
    rootFor: 'a bridge and taps for the lab network',
    tools: ['qemu-system-x86_64', 'qemu-img', 'swtpm', 'mksquashfs', 'xorriso', 'mmdebstrap', 'ip'],
    packages: ['qemu-system-x86', 'qemu-utils', 'swtpm', 'ovmf', 'squashfs-tools', 'xorriso', 'mmdebstrap', 'iproute2'],
    devices: [['/dev/net/tun', 'taps']],
  });

export async function qemuUp(opts: QemuUpOptions): Promise<QemuDeployment> {
  const started = Date.now();
  await checkQemuHost();
  const { run } = await prepareRun(opts, 'qemu');
  const lab = new QemuLab(opts, run, started, sayFor(opts));
  const result = await deployHere(lab, opts, started);
  const connectedMs = millis(result.seconds.enroll);
  const convergedMs = millis(result.seconds.converge);
  if (!opts.quiet && connectedMs !== undefined) process.stderr.write(stageTable(lab.stages, connectedMs, convergedMs));
  return {
    run,
    ...result,
    ...(lab.media ? { iso: lab.media.iso } : {}),
    accel: lab.accel,
    accelReason: lab.accelReason,
    vms: lab.vms,
    installed: lab.installed,
    stages: lab.stages,
    timings: {
      ...(result.seconds.build !== undefined ? { mediaMs: millis(result.seconds.build)! } : {}),
      ...(connectedMs !== undefined ? { connectedMs } : {}),
      ...(convergedMs !== undefined ? { convergedMs } : {}),
    },
    stop: () => qemuDown(run.root).then(() => undefined),
  };
}

/**
 * The qemu substrate's part of the deploy pipeline: the media stay local
 * files; "stamp" makes the lab network and each VM's folder; "boot" installs
 * the nodes that have no installed disk (the VM exits at the installer's
 * power-off) and boots every disk until its guest agent answers.
 */
class QemuLab implements LocalSubstrate<DeploymentMedia> {
  readonly name = 'qemu';
  readonly lastStage = 'converge';
  readonly vms = new Map<string, DaemonVm>();
  readonly installed: string[] = [];
  readonly stages: QemuDeployment['stages'] = {};
  media: DeploymentMedia | undefined;
  accel: Accelerator = 'tcg';
  accelReason = '';
  private readonly opts: QemuUpOptions;
  private readonly run: RunDir;
  private readonly started: number;
  private readonly say: (s: string) => void;
  private readonly record: QemuLabState;

  constructor(opts: QemuUpOptions, run: RunDir, started: number, say: (s: string) => void) {
    this.opts = opts;
    this.run = run;
    this.started = started;
    this.say = say;
    const tag = opts.tag ?? DEFAULT_QEMU_TAG;
    const t = opts.topology;
    this.record = {
      tag,
      bridge: `${tag}-lan`,
      taps: t.nodes.map((n) => tapName(tag, n.vmid)),
      nodes: t.nodes.map((n) => n.hostname),
    };
  }

  private at(): number {
    return Date.now() - this.started;
  }

  /** Stages go to stderr even with --json (stdout carries the JSON): a VM install is minutes of work. */
  private mark(node: string, stage: NodeStage): void {
    (this.stages[node] ??= {})[stage] = this.at();
    process.stderr.write(`kubedos: ${String(Math.round(this.at() / 1000)).padStart(4)}s ${node.padEnd(10)} ${stage}\n`);
  }

  build(): Promise<DeploymentMedia> {
    const opts = this.opts;
    return buildDeploymentMedia({
      topology: opts.topology,
      topologyFile: this.run.topologyCopy,
      secretsDir: this.run.secrets,
      outDir: path.join(this.run.root, 'media'),
      ...(opts.extraDebsDir ? { extraDebsDir: opts.extraDebsDir } : {}),
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.quiet ? { quiet: true } : {}),
      ...(opts.admin ? { admin: opts.admin } : {}),
      onStep: this.say,
    });
  }

  async place(media: DeploymentMedia): Promise<void> {
    this.media = media;
  }

  async stamp(): Promise<void> {
    // Recorded before anything is made: `down` removes exactly this.
    LabRecord.create(labFile(this.run), this.record);
    const { accel, reason } = await chooseAccelerator(this.opts.accel ?? 'auto');
    this.accel = accel;
    this.accelReason = reason;
    this.say(`accelerator ${accel} (${reason})`);
    await addBridge(this.record.bridge);
    for (const tap of this.record.taps) await addTap(tap, this.record.bridge);
    for (const node of this.opts.topology.nodes) {
      if (this.opts.fresh) fs.rmSync(this.run.nodeDir(node.hostname), { recursive: true, force: true });
      fs.mkdirSync(vmDir(this.run, node.hostname), { recursive: true, mode: 0o700 });
    }
  }

  async boot(): Promise<void> {
    const t = this.opts.topology;
    const run = this.run;
    const tag = this.record.tag;
    const seeds = new Map(this.media!.seeds.map((s) => [s.node, s.file]));
    await Promise.all(
      t.nodes.map(async (node) => {
        const dir = vmDir(run, node.hostname);
        const spec = vmSpec(t, run, node, tag);
        if (!fs.existsSync(installedMark(run, node.hostname))) {
          this.mark(node.hostname, 'installing');
          fs.rmSync(diskOf(run, node.hostname), { force: true });
          await execa('qemu-img', ['create', '-q', '-f', 'qcow2', diskOf(run, node.hostname), `${node.diskGiB}G`]);
          const vm = await startDaemonVm(
            { ...spec, iso: this.media!.iso.iso, seed: seeds.get(node.hostname)!, bootFrom: 'cdrom', noReboot: true },
            dir,
            this.accel,
          );
          await pollUntil({
            what: `${node.hostname}'s install`,
            probe: () => !isRunning(vm.qemuPidFile, 'qemu-system-x86_64') || undefined,
            everyMs: 1000,
            withinMs: INSTALL_DEADLINE_MS,
            signal: this.opts.signal,
            late: () => new UserError(`the install did not finish within ${INSTALL_DEADLINE_MS / 60_000} minutes`),
          });
          const outcome = installOutcome(vm, node.hostname);
          if (outcome !== 'installed')
            throw new UserError(`${node.hostname}: ${outcome}`, `see ${vm.paths.consoleLog}`);
          fs.writeFileSync(
            installedMark(run, node.hostname),
            JSON.stringify({ iso: this.media!.iso.sha256, at: Date.now() }) + '\n',
          );
          this.installed.push(node.hostname);
          this.mark(node.hostname, 'installed');
        }
        this.mark(node.hostname, 'booting');
        const vm = await startDaemonVm({ ...spec, bootFrom: 'disk' }, dir, this.accel);
        this.vms.set(node.hostname, vm);
        await vmProbe(vm, `${node.hostname}'s guest agent`, () => vm.agent.ping(), BOOT_DEADLINE_MS, this.opts.signal);
        this.mark(node.hostname, 'booted');
      }),
    );
  }

  async hub(): Promise<HubControl> {
    const t = this.opts.topology;
    const master = this.vms.get(masterNode(t).hostname)!;
    // Up means answering: the hub says it is ready (an active unit may still be starting, or restarting).
    await vmProbe(
      master,
      'the hub in the master VM',
      async () => (await guestHubReady(master.agent)) !== undefined,
      BOOT_DEADLINE_MS,
      this.opts.signal,
    ).catch(async (err: Error) => {
      const journal = await master.agent
        .exec(['journalctl', '--no-pager', '-n', '15', '-u', 'kubedos-hub'])
        .then((r) => r.stdout)
        .catch(() => '');
      throw new UserError(
        `${err.message}\n${journal}`.trim(),
        "see the master VM's journal (journalctl -u kubedos-hub)",
      );
    });
    this.mark(masterNode(t).hostname, 'hub up');
    // hubctl on the host reaches the hub in the master VM through its guest agent.
    const hubRef: GuestHubRef = { socket: master.paths.qgaSocket, hubctl: GUEST_HUBCTL };
    fs.mkdirSync(this.run.hubDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(this.run.hubDir, GUEST_AGENT_FILE), JSON.stringify(hubRef, null, 2) + '\n');
    linkCurrentHub(this.run.hubDir);
    return guestHubControl(master.agent);
  }

  async teardown(): Promise<void> {
    await qemuDown(this.run.root);
  }
}

/** Each node's stages in seconds from the start of `up`, and when all were connected and converged. */
function stageTable(stages: QemuDeployment['stages'], connectedMs: number, convergedMs?: number): string {
  const cols: NodeStage[] = ['installing', 'installed', 'booting', 'booted', 'hub up'];
  const sec = (ms?: number) => (ms === undefined ? '-' : (ms / 1000).toFixed(0)).padStart(10);
  const lines = [`${'stage (s)'.padEnd(10)}${cols.map((c) => c.padStart(10)).join('')}`];
  for (const [node, at] of Object.entries(stages))
    lines.push(`${node.padEnd(10)}${cols.map((c) => sec(at[c])).join('')}`);
  lines.push(`all connected ${sec(connectedMs).trim()} s, converged ${convergedMs ? sec(convergedMs).trim() : '-'} s`);
  return lines.join('\n') + '\n';
}

function vmSpec(t: Topology, run: RunDir, node: TopologyNode, tag: string) {
  return {
    name: `${tag}-${node.hostname}`,
    cores: node.cores,
    memoryMiB: node.memoryMiB,
    disk: diskOf(run, node.hostname),
    diskSerial: `kd${node.vmid}`,
    ...(node.smbiosUuid ? { smbiosUuid: node.smbiosUuid } : {}),
    tap: { ifname: tapName(tag, node.vmid), mac: macFor(t.name, node.hostname) },
  };
}

/** What the installer said last on the console: installed (this node), or its refusal or failure. */
function installOutcome(vm: DaemonVm, node: string): string {
  const said = lastInstallStatus(fs.readFileSync(vm.paths.consoleLog, 'latin1'));
  if (said?.phase === 'installed' && said.node === node) return 'installed';
  return said && installEnded(said)
    ? `the installer ${describeInstall(said)}`
    : 'the VM stopped before the installer said it had installed';
}

/** Waits for a VM's probe; the VM stopping ends the wait with its console to look at. */
function vmProbe(vm: DaemonVm, what: string, probe: () => Promise<boolean>, withinMs: number, signal: AbortSignal) {
  return pollUntil({
    what,
    probe: async () => (await probe()) || undefined,
    everyMs: 2000,
    withinMs,
    signal,
    stopped: () =>
      isRunning(vm.qemuPidFile, 'qemu-system-x86_64')
        ? undefined
        : new UserError(`${vm.name} stopped while waiting for ${what}`, `see ${vm.paths.consoleLog}`),
    late: () =>
      new UserError(`${what} did not answer within ${withinMs / 60_000} minutes`, `see ${vm.paths.consoleLog}`),
  });
}

/** Stops every VM of the deployment in runRoot (disks kept) and removes its taps and bridge. Returns the VMs stopped. */
export async function qemuDown(runRoot: string): Promise<number> {
  const run = runDir(runRoot);
  const lab = LabRecord.read<QemuLabState>(labFile(run));
  if (!lab) return 0;
  const record = lab.state;
  let stopped = 0;
  await Promise.all(
    record.nodes.map(async (node) => {
      const vm = vmPaths(vmDir(run, node));
      if (isRunning(vm.qemuPidFile, 'qemu-system-x86_64')) stopped++;
      await stopDaemonVm(vm, { graceMs: 60_000 });
    }),
  );
  for (const tap of record.taps) await removeLink(tap);
  await removeLink(record.bridge);
  fs.rmSync(path.join(run.hubDir, GUEST_AGENT_FILE), { force: true });
  unlinkCurrentHub(run.root);
  lab.remove();
  return stopped;
}
