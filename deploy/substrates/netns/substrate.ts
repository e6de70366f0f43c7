/**
 * The `netns` substrate (root, Linux): every topology node gets a network
 * namespace on one shared bridge with its LAN address from the topology; the
 * hub runs in the master's namespace, a minion in every namespace with its
 * own state and root directory and its own /run/wireguard, and the planes
 * are real (wireguard-go). Everything created is recorded by the NetnsLab in
 * the run dir, so `down` removes exactly that: processes, namespaces,
 * veths, the bridge; and nothing else.
 */
import path from 'node:path';
import pLimit from 'p-limit';
import { clearHubReady, waitForHubReady } from '../../../hub/ready-file.ts';
import { hubArgs, writeNodeFiles } from '../../toolkit/node-files.ts';
import { UserError } from '../../../shared/errors.ts';
import { ensurePrivateDir } from '../../../shared/fs/atomic-write.ts';
import type { DeploymentSecrets } from '../../../iso-builder/deployment-secrets.ts';
import { parseIpv4Network } from '../../../shared/net/ipv4.ts';
import { hubPlaneAddress } from '../../../shared/planes/addressing.ts';
import { privateWireguardRun, runInNamespace, type CommandRunner } from '../../../shared/planes/command-runner.ts';
import { isKubernetesNode, masterNode, planeOf } from '../../../shared/planes/peer-lists.ts';
import { intendedPlaneAddresses } from '../../../shared/planes/addressing.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { linkCurrentHub, unlinkCurrentHub } from '../../toolkit/current-hub.ts';
import { checkHost } from '../../toolkit/host-check.ts';
import { pollUntil } from '../../toolkit/poll.ts';
import { entryArgv } from '../../toolkit/spawn-entry.ts';
import { prepareRun, runDir, upMarker, type RunDir } from '../../toolkit/run-dir.ts';
import { adminHubControl, type HubControl } from '../../pipeline/hub-control.ts';
import { deployHere, type LocalSubstrate } from '../../pipeline/deploy-here.ts';
import { millis, type Deployment } from '../../pipeline/pipeline.ts';
import type { LocalUpOptions } from '../../pipeline/up-options.ts';
import { NetnsLab } from './namespaces.ts';
import { pingFrom } from './plane-probes.ts';

export const DEFAULT_NETNS_TAG = 'kdw';

export interface NetnsUpOptions extends Omit<LocalUpOptions, 'converge'> {
  /** Prefix of every namespace, veth and the bridge (2-8 lowercase letters/digits). */
  tag?: string;
}

export interface NetnsDeployment extends Deployment {
  lab: NetnsLab;
  /** Milliseconds from the start of `up` until the hub reported every node connected. */
  connectedMs?: number;
  /** Milliseconds from the start of `up` until every plane answered. */
  planesReadyMs?: number;
  /** Runs a command as the node does: in its namespace, with its /run/wireguard. */
  runOn(node: string): CommandRunner;
  namespaceOf(node: string): string;
}

const labFile = (run: RunDir) => upMarker(run, 'netns');

export function namespaceName(tag: string, node: TopologyNode): string {
  const byName = `${tag}-${node.hostname}`;
  return byName.length <= 15 && /^[a-z0-9-]+$/.test(byName) ? byName : `${tag}-${node.vmid}`;
}

/**
 * Readiness of the planes as the nodes see them (pings need only the namespace,
 * not the node's private /run/wireguard): every node pings the hub on
 * wg1 and wg2, and every Kubernetes node pings every other on wg3.
 */
export async function waitForPlanes(
  t: Topology,
  runOn: (node: string) => CommandRunner,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<void> {
  const members = t.nodes.filter((n) => n.role !== 'master');
  const kube = members.filter(isKubernetesNode);
  const wg3 = (n: TopologyNode) => intendedPlaneAddresses(t, n).find((a) => a.plane === 'wg3')!.address;
  const checks: Array<[string, string]> = [
    ...members.flatMap((n): Array<[string, string]> => [
      [n.hostname, hubPlaneAddress(planeOf(t, 'wg1'))],
      [n.hostname, hubPlaneAddress(planeOf(t, 'wg2'))],
    ]),
    ...kube.flatMap((a) => kube.filter((b) => b !== a).map((b): [string, string] => [a.hostname, wg3(b)])),
  ];
  const limit = pLimit(8);
  let pending = checks;
  await pollUntil({
    what: 'every plane',
    probe: async () => {
      const ok = await Promise.all(pending.map(([n, a]) => limit(() => pingFrom(runOn(n), a, { deadlineSeconds: 2 }))));
      pending = pending.filter((_, i) => !ok[i]);
      return pending.length === 0 || undefined;
    },
    // Each unanswered ping already waited its 2 s.
    everyMs: 0,
    withinMs: opts.timeoutMs,
    signal: opts.signal,
    late: () =>
      new UserError(
        `planes not ready within ${opts.timeoutMs / 1000}s: ${pending.map(([n, a]) => `${n}→${a}`).join(', ')}`,
      ),
  });
}

export async function netnsUp(opts: NetnsUpOptions): Promise<NetnsDeployment> {
  const started = Date.now();
  await checkHost({
    substrate: 'netns',
    rootFor: 'network namespaces, tun devices',
    tools: ['ip', 'wg', 'wireguard-go', 'nft', 'ping'],
    packages: ['iproute2', 'wireguard-tools', 'wireguard-go', 'nftables', 'iputils-ping'],
    devices: [['/dev/net/tun', 'wireguard-go']],
  });
  const { run, secrets } = await prepareRun(opts, 'netns');
  const lab = new NetnsNamespaces(opts, run, secrets);
  const result = await deployHere(lab, opts, started);
  const connectedMs = millis(result.seconds.enroll);
  if (connectedMs !== undefined)
    await waitForPlanes(opts.topology, (n) => runInNamespace(lab.namespaceOf(n)), {
      timeoutMs: Math.max(10_000, opts.timeoutMs - (Date.now() - started)),
      signal: opts.signal,
    }).catch(async (err: unknown) => {
      await lab.teardown();
      throw err;
    });
  return {
    run,
    ...result,
    lab: lab.lab,
    ...(connectedMs !== undefined ? { connectedMs, planesReadyMs: Date.now() - started } : {}),
    runOn: (n) => lab.runOn(n),
    namespaceOf: (n) => lab.namespaceOf(n),
    stop: () => lab.teardown(),
  };
}

/**
 * The netns substrate's part of the deploy pipeline: "build" makes the
 * secrets, "stamp" the bridge and a namespace per node with its LAN
 * address, "boot" the hub in the master's namespace and a minion in every
 * namespace, each with its own /run/wireguard. Its nodes enroll and bring
 * their planes up; they do not converge.
 */
class NetnsNamespaces implements LocalSubstrate<DeploymentSecrets> {
  readonly name = 'netns';
  readonly lastStage = 'enroll';
  readonly lab: NetnsLab;
  private readonly opts: NetnsUpOptions;
  private readonly run: RunDir;
  private readonly secrets: DeploymentSecrets;
  private readonly nsOf: Map<string, string>;

  constructor(opts: NetnsUpOptions, run: RunDir, secrets: DeploymentSecrets) {
    this.opts = opts;
    this.run = run;
    this.secrets = secrets;
    const tag = opts.tag ?? DEFAULT_NETNS_TAG;
    this.lab = NetnsLab.open(labFile(run), tag);
    this.nsOf = new Map(opts.topology.nodes.map((n) => [n.hostname, namespaceName(tag, n)]));
  }

  namespaceOf(node: string): string {
    return this.nsOf.get(node)!;
  }

  runOn(node: string): CommandRunner {
    return runInNamespace(this.namespaceOf(node), privateWireguardRun(path.join(this.run.nodeDir(node), 'run')));
  }

  async build(): Promise<DeploymentSecrets> {
    return this.secrets;
  }

  async place(): Promise<void> {}

  async stamp(): Promise<void> {
    const t = this.opts.topology;
    const bridge = `${this.lab.tag}-lan`;
    await this.lab.addBridge(bridge);
    const prefix = parseIpv4Network(t.lan.cidr).prefix;
    for (const n of t.nodes) {
      ensurePrivateDir(path.join(this.run.nodeDir(n.hostname), 'run'));
      await this.lab.addNamespace(this.namespaceOf(n.hostname), { bridge, address: `${n.ip}/${prefix}` });
    }
  }

  async boot(): Promise<void> {
    const t = this.opts.topology;
    const run = this.run;
    const master = masterNode(t);
    const hubLog = path.join(run.logs, 'hub.log');
    ensurePrivateDir(run.logs);
    clearHubReady(run.hubDir);
    const hubPid = this.lab.spawn(
      this.namespaceOf(master.hostname),
      entryArgv(
        'hub/main.ts',
        hubArgs({
          stateDir: run.hubDir,
          topologyFile: run.topologyCopy,
          secrets: this.secrets,
          listen: `0.0.0.0:${t.hub.port}`,
          planes: 'wireguard-go',
          root: path.join(run.nodeDir(master.hostname), 'root'),
        }),
      ),
      { logFile: hubLog, binds: privateWireguardRun(path.join(run.nodeDir(master.hostname), 'run')) },
    );
    const { port: hubPort } = await waitForHubReady({
      stateDir: run.hubDir,
      logFile: hubLog,
      isRunning: () => this.lab.isRunning(hubPid),
    });
    for (const n of t.nodes) {
      const dir = run.nodeDir(n.hostname);
      const configFile = writeNodeFiles(dir, n.hostname, this.secrets, { hub: `${master.ip}:${hubPort}` });
      this.lab.spawn(
        this.namespaceOf(n.hostname),
        entryArgv('minion/main.ts', ['--config', configFile, '--planes', 'wireguard-go']),
        { logFile: path.join(run.logs, `${n.hostname}.log`), binds: privateWireguardRun(path.join(dir, 'run')) },
      );
    }
    linkCurrentHub(run.hubDir);
  }

  async hub(): Promise<HubControl> {
    return adminHubControl(this.run.hubDir);
  }

  /** What `down` does: everything the lab recorded (it records each thing before making it). */
  async teardown(): Promise<void> {
    await netnsDown(this.run.root);
  }
}

/** Removes every process, namespace, veth and bridge the deployment in runRoot created. Returns how many namespaces. */
export async function netnsDown(runRoot: string): Promise<number> {
  const run = runDir(runRoot);
  const lab = NetnsLab.openRecorded(labFile(run));
  if (!lab) return 0;
  const count = lab.namespaces.length;
  await lab.teardown();
  unlinkCurrentHub(run.root);
  return count;
}
