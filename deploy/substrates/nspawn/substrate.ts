/**
 * The `nspawn` substrate (root, Linux): every topology node is a real
 * Debian container booted from the platform image with systemd as PID 1,
 * on one bridge, with its LAN address from its own seed (systemd-networkd),
 * the minion (and on the master the hub) started by their units, real apt
 * from the node's own darksite, real daemons. The deployer's only ways in
 * are the seed it writes into each container's layer before boot, and the
 * hub's admin socket inside the master's root.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearHubReady, readHubReady } from '../../../hub/ready-file.ts';
import { NODE_PATHS } from '../../../iso-builder/node-layout.ts';
import { nodeSeedFiles } from '../../../iso-builder/node-seed.ts';
import type { PlatformImage } from '../../../iso-builder/platform-image.ts';
import { UserError } from '../../../shared/errors.ts';
import { runsPods } from '../../../shared/kubernetes/pod-subnets.ts';
import { networkContains, parseIpv4Network } from '../../../shared/net/ipv4.ts';
import { masterNode } from '../../../shared/planes/peer-lists.ts';
import { loadTopology } from '../../../shared/topology/load.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import {
  ensureDeploymentSecrets,
  renewNodeCredential,
  type DeploymentSecrets,
} from '../../../iso-builder/deployment-secrets.ts';
import { linkCurrentHub, unlinkCurrentHub } from '../../toolkit/current-hub.ts';
import { checkHost } from '../../toolkit/host-check.ts';
import { pollUntil } from '../../toolkit/poll.ts';
import { platformForRun } from '../../toolkit/platform-for-run.ts';
import { prepareRun, runDir, upMarker, type RunDir } from '../../toolkit/run-dir.ts';
import { adminHubControl, type HubControl } from '../../pipeline/hub-control.ts';
import { deployHere, type LocalSubstrate } from '../../pipeline/deploy-here.ts';
import { millis, type Deployment } from '../../pipeline/pipeline.ts';
import { KUBELET_KERNEL_TUNABLES, NspawnLab } from './containers.ts';
import { openHubBackup } from '../../../hub/backup/restore-hub-state.ts';
import { restoreForNewMaster } from '../../../hub/backup/new-master-state.ts';
import { readInputFile, readKeyFile } from '../../../shared/fs/read-input.ts';
import { CONTAINER_CGROUP_UNIT, hostHasCgroupV1 } from './node-cgroups.ts';
import { sayFor, type LocalUpOptions } from '../../pipeline/up-options.ts';

export const DEFAULT_NSPAWN_TAG = 'kdn';
/** Inside a container nspawn names the veth `host0`; the seed matches the LAN NIC by it. */
const CONTAINER_LAN_NIC = 'host0';

export interface NspawnUpOptions extends LocalUpOptions {
  /** Folder of .deb files not in Debian (kubeadm, kubelet, kubectl, grafana); without them those phases are skipped. */
  extraDebsDir?: string;
  /** Prefix of the bridge and of every machine name (2-6 lowercase letters/digits). */
  tag?: string;
  /** Where images and snapshots are cached (default: the user's kubedos state dir). */
  cacheDir?: string;
  /** Called at each step, for progress and benchmarks. */
  onStep?: (step: string) => void;
}

export interface NspawnDeployment extends Deployment {
  lab: NspawnLab;
  image?: PlatformImage;
  hubDir: string;
  /** Milliseconds from the start of `up`: image ready, every node connected, convergence finished. */
  timings: { imageMs?: number; connectedMs?: number; convergedMs?: number };
}

const labFile = (run: RunDir) => upMarker(run, 'nspawn');

const checkNspawnHost = () =>
  checkHost({
    substrate: 'nspawn',
    rootFor: 'containers, mounts, a bridge',
    tools: ['systemd-nspawn', 'mmdebstrap', 'nsenter', 'ip', 'mount', 'tar'],
    packages: ['systemd-container', 'mmdebstrap', 'util-linux', 'iproute2', 'tar'],
    filesystems: ['overlay'],
  });

export async function nspawnUp(opts: NspawnUpOptions): Promise<NspawnDeployment> {
  const started = Date.now();
  await checkNspawnHost();
  const { run, secrets } = await prepareRun(opts, 'nspawn');
  const containers = new NspawnContainers(opts, run, secrets);
  const result = await deployHere(containers, opts, started);
  const timings = {
    imageMs: millis(result.seconds.build),
    connectedMs: millis(result.seconds.enroll),
    convergedMs: millis(result.seconds.converge),
  };
  return {
    run,
    ...result,
    lab: containers.lab,
    ...(containers.image ? { image: containers.image } : {}),
    hubDir: containers.hubDir,
    timings: Object.fromEntries(Object.entries(timings).filter(([, v]) => v !== undefined)),
    stop: () => containers.teardown(),
  };
}

interface NspawnMedia {
  image: PlatformImage;
  /** The image unpacked: every container's lower layer. */
  rootfs: string;
}

/**
 * The nspawn substrate's part of the deploy pipeline: "build" is the
 * platform image (built or from the cache), "stamp" the host's settings,
 * the bridge and each container's own layer with its seed written in,
 * "boot" starts every container; the hub is up once it says so in its
 * readiness file inside the master's root.
 */
class NspawnContainers implements LocalSubstrate<NspawnMedia> {
  readonly name = 'nspawn';
  readonly lastStage = 'converge';
  readonly lab: NspawnLab;
  readonly hubDir: string;
  image: PlatformImage | undefined;
  private rootfs: string | undefined;
  private bridge: string | undefined;
  private readonly opts: NspawnUpOptions;
  private readonly run: RunDir;
  private readonly secrets: DeploymentSecrets;
  private readonly say: (s: string) => void;

  constructor(opts: NspawnUpOptions, run: RunDir, secrets: DeploymentSecrets) {
    this.opts = opts;
    this.run = run;
    this.secrets = secrets;
    const said = sayFor(opts);
    this.say = (s) => {
      opts.onStep?.(s);
      said(s);
    };
    this.lab = NspawnLab.open(labFile(run), opts.tag ?? DEFAULT_NSPAWN_TAG);
    const master = masterNode(opts.topology).hostname;
    // The hub's state dir inside the master, as the host sees it: its admin socket is the operator's way in.
    this.hubDir = path.join(run.nodeDir(master), 'root', NODE_PATHS.hubState);
  }

  async build(): Promise<NspawnMedia> {
    const { image, rootfs } = await platformForRun(this.opts.topology, this.run, this.opts, this.say);
    return { image, rootfs };
  }

  async place(media: NspawnMedia): Promise<void> {
    this.image = media.image;
    this.rootfs = media.rootfs;
  }

  async stamp(): Promise<void> {
    const t = this.opts.topology;
    const lab = this.lab;
    const raised = lab.raiseSysctl('fs.inotify.max_user_instances', 64 * t.nodes.length + 128);
    if (raised) this.say(`raised fs.inotify.max_user_instances from ${raised.from} to ${raised.to} (restored by down)`);
    // A kubelet sets these kernel tunables where they differ (its container manager fails if it cannot); a
    // container's /proc/sys is read-only and the kernel is the host's: the lab sets them, and down puts them back.
    if (t.nodes.some(runsPods))
      for (const [key, value] of Object.entries(KUBELET_KERNEL_TUNABLES)) {
        const set = lab.setSysctl(key, value);
        if (set) this.say(`set ${key} from ${set.from} to ${set.to} for the kubelets (restored by down)`);
      }
    this.bridge = await lab.addBridge();
    const gateway = hostGatewayAddress(t);
    if (gateway) await lab.addHostAddress(gateway);
    else this.say(`the host already has an address in ${t.lan.cidr}: it is not given the gateway's on ${this.bridge}`);
    for (const node of t.nodes) {
      const root = await lab.addContainer(node.hostname, this.rootfs!, this.run.nodeDir(node.hostname), node.vmid);
      seedContainer(root, t, this.run.topologyCopy, node, this.secrets);
      // Only this boot's hub says it is ready.
      if (node.role === 'master') clearHubReady(path.join(root, NODE_PATHS.hubState));
    }
  }

  async boot(): Promise<void> {
    const t = this.opts.topology;
    this.say(`starting ${t.nodes.length} containers on ${this.bridge}`);
    for (const node of t.nodes) {
      const logFile = path.join(this.run.logs, `${node.hostname}.console.log`);
      this.lab.boot(node.hostname, this.bridge!, logFile, node.hostname, runsPods(node));
    }
  }

  async hub(): Promise<HubControl> {
    const master = masterNode(this.opts.topology).hostname;
    this.say('waiting for the hub in the master container');
    await waitForHub(this.lab, master, this.hubDir, this.run, this.opts.signal);
    linkCurrentHub(this.hubDir);
    return adminHubControl(this.hubDir);
  }

  /** What `down` does, as recorded now: a node rebuilt since (nspawnRebuildNode) runs as a process this object never saw. */
  async teardown(): Promise<void> {
    await nspawnDown(this.run.root);
  }
}

/** The node's seed, written into its container's own layer before it boots. */
function seedContainer(
  root: string,
  t: Topology,
  topologyFile: string,
  node: TopologyNode,
  secrets: DeploymentSecrets,
) {
  const files = nodeSeedFiles({
    topology: t,
    topologyFile,
    node,
    secrets,
    lanMatch: { name: CONTAINER_LAN_NIC },
    useSmbios: false,
  });
  for (const f of files) writeInto(root, f.path, f.content, f.mode);
  if (runsPods(node) && hostHasCgroupV1()) {
    writeInto(root, CONTAINER_CGROUP_UNIT.path, CONTAINER_CGROUP_UNIT.content, 0o644);
    fs.mkdirSync(path.dirname(path.join(root, CONTAINER_CGROUP_UNIT.wants)), { recursive: true });
    fs.rmSync(path.join(root, CONTAINER_CGROUP_UNIT.wants), { force: true });
    fs.symlinkSync(CONTAINER_CGROUP_UNIT.path, path.join(root, CONTAINER_CGROUP_UNIT.wants));
  }
}

/**
 * The LAN gateway's address with the LAN's prefix, for the host's end of the
 * bridge, unless the host already has an address in that LAN (then the lab's
 * LAN stays the containers' own).
 */
function hostGatewayAddress(t: Topology): string | undefined {
  const lan = parseIpv4Network(t.lan.cidr);
  const held = Object.values(os.networkInterfaces())
    .flat()
    .some((a) => a?.family === 'IPv4' && networkContains(lan, a.address));
  return held ? undefined : `${t.lan.gateway}/${lan.prefix}`;
}

/** A new enrollment credential for a node to be rebuilt (its seed's was spent): its public key, for hubctl replace. */
export async function nspawnNewCredential(runRoot: string, node: string): Promise<string> {
  const run = runDir(runRoot);
  return renewNodeCredential(run.secrets, loadTopology(run.topologyCopy), node);
}

/**
 * "If it breaks, replace it", in the lab: the node's container is stopped,
 * its own layer thrown away (a blank disk from the same image), its seed
 * written again, and it boots. It enrolls again once the operator has run
 * `hubctl replace NODE --credential-key KEY` with the key nspawnNewCredential
 * gave (the old seed's credential was spent) and opened a window for it.
 */
export async function nspawnRebuildNode(runRoot: string, node: string): Promise<void> {
  const run = runDir(runRoot);
  const lab = NspawnLab.openRecorded(labFile(run));
  if (!lab)
    throw new UserError(`no nspawn deployment is up in ${runRoot}`, 'start one with "kubedos up --substrate nspawn"');
  const t = loadTopology(run.topologyCopy);
  const n = t.nodes.find((x) => x.hostname === node);
  if (!n) throw new UserError(`no node ${node} in ${run.topologyCopy}`);
  const secrets = await ensureDeploymentSecrets(run.secrets, t);
  const root = await lab.resetContainer(node);
  seedContainer(root, t, run.topologyCopy, n, secrets);
  lab.boot(node, lab.bridge!, path.join(run.logs, `${node}.console.log`), node, runsPods(n));
  await lab.waitForInit(node);
}

/**
 * The master lost with its disk, in the lab: its container is stopped, its
 * own layer thrown away, its seed written again, and, given a backup
 * (`hubctl hub backup --out`), its hub's state restored from it before it
 * boots, opened with the deployment's recovery key from the run dir and
 * checked whole before anything is touched. The master's own minion comes
 * back with new keys (keys never travel): its old enrollment is revoked in
 * the restored state and its seed carries a new credential, so it enrolls
 * again once a window is open for it. Every other node reconnects with the
 * identity it has. Returns when the new hub answers.
 */
export async function nspawnRebuildMaster(
  runRoot: string,
  opts: { backup: string; signal?: AbortSignal },
): Promise<{ takenAtMs: number }> {
  const run = runDir(runRoot);
  const lab = NspawnLab.openRecorded(labFile(run));
  if (!lab)
    throw new UserError(`no nspawn deployment is up in ${runRoot}`, 'start one with "kubedos up --substrate nspawn"');
  const t = loadTopology(run.topologyCopy);
  const master = masterNode(t);
  const secrets = await ensureDeploymentSecrets(run.secrets, t);
  const bundle = openHubBackup(
    readInputFile('backup', opts.backup),
    readKeyFile('recovery key', secrets.recoveryKeyPath),
    t.name,
    secrets.hubCaPem,
  );
  const credential = Buffer.from(await renewNodeCredential(run.secrets, t, master.hostname), 'base64');
  const root = await lab.resetContainer(master.hostname);
  const hubDir = path.join(root, NODE_PATHS.hubState);
  restoreForNewMaster(hubDir, bundle, master.hostname, credential);
  seedContainer(root, t, run.topologyCopy, master, secrets);
  clearHubReady(hubDir);
  lab.boot(master.hostname, lab.bridge!, path.join(run.logs, `${master.hostname}.console.log`), master.hostname, false);
  await waitForHub(lab, master.hostname, hubDir, run, opts.signal ?? new AbortController().signal);
  return { takenAtMs: bundle.takenAtMs };
}

/** Writes a seed file into a container's root (its own layer), never following a link out of it. */
function writeInto(root: string, file: string, content: string | Buffer, mode: number): void {
  const target = path.join(root, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { force: true });
  fs.writeFileSync(target, content, { mode, flag: 'wx' });
  fs.chmodSync(target, mode);
}

async function waitForHub(lab: NspawnLab, master: string, hubDir: string, run: RunDir, signal: AbortSignal) {
  const consoleLog = path.join(run.logs, `${master}.console.log`);
  await pollUntil({
    what: 'the hub in the master container',
    probe: () => readHubReady(hubDir),
    everyMs: 250,
    withinMs: 120_000,
    signal,
    stopped: () => (lab.isRunning(master) ? undefined : `the master container stopped:\n${tail(consoleLog)}`),
    late: () =>
      new UserError(
        `the hub did not start in the master container within 120 s`,
        `see ${consoleLog}, or: nsenter into it and run journalctl -u kubedos-hub`,
      ),
  });
}

function tail(file: string): string {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-8).join('\n');
}

/** Stops and removes every container, mount, layer and the bridge the deployment in runRoot made. */
export async function nspawnDown(runRoot: string): Promise<number> {
  const run = runDir(runRoot);
  const lab = NspawnLab.openRecorded(labFile(run));
  if (!lab) return 0;
  const count = lab.containers.length;
  await lab.teardown();
  unlinkCurrentHub(run.root);
  return count;
}
