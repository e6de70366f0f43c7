/**
 * The `netns` substrate (root, Linux): every topology node gets a network
 * namespace on one shared bridge with its LAN address from the topology; the
 * hub runs in the master's namespace, a minion in every namespace with its
 * own state and root directory and its own /run/wireguard, and the planes
 * are real (wireguard-go). Everything created is recorded by the NetnsLab in
 * the run dir, so `down` removes exactly that: processes, namespaces,
 * veths, the bridge; and nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { clearHubReady, waitForHubReady } from '../../hub/ready-file.ts';
import { hubArgs } from '../local/node-files.ts';
import { UserError } from '../../shared/errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import type { MinionConfigFile } from '../../shared/identity/files.ts';
import { parseIpv4Network } from '../../shared/net/ipv4.ts';
import { hubPlaneAddress } from '../../shared/planes/addressing.ts';
import {
  privateWireguardRun,
  runInNamespace,
  runLocal,
  type CommandRunner,
} from '../../shared/planes/command-runner.ts';
import { isKubernetesNode, masterNode, planeOf } from '../../shared/planes/peer-lists.ts';
import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import type { Topology, TopologyNode } from '../../shared/topology/model.ts';
import { linkCurrentHub, unlinkCurrentHub } from '../local/current-hub.ts';
import { prepareRun, runDir, upMarker, type RunDir } from '../local/run-dir.ts';
import { enrollAndConverge } from '../local/wait-for-nodes.ts';
import { NetnsLab } from './namespaces.ts';
import { pingFrom } from './plane-probes.ts';
import type { LocalUpOptions } from '../local/up-options.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const REQUIRED_COMMANDS = ['ip', 'wg', 'wireguard-go', 'nft', 'ping'];
export const DEFAULT_NETNS_TAG = 'kdw';

export interface NetnsUpOptions extends Omit<LocalUpOptions, 'converge'> {
  /** Prefix of every namespace, veth and the bridge (2-8 lowercase letters/digits). */
  tag?: string;
}

export interface NetnsDeployment {
  run: RunDir;
  lab: NetnsLab;
  status: StatusResponse__Output;
  /** Milliseconds from the start of `up` until the hub reported every node connected. */
  connectedMs: number;
  /** Milliseconds from the start of `up` until every plane answered. */
  planesReadyMs: number;
  /** Runs a command as the node does: in its namespace, with its /run/wireguard. */
  runOn(node: string): CommandRunner;
  namespaceOf(node: string): string;
  stop(): Promise<void>;
}

const labFile = (run: RunDir) => upMarker(run, 'netns');

export function namespaceName(tag: string, node: TopologyNode): string {
  const byName = `${tag}-${node.hostname}`;
  return byName.length <= 15 && /^[a-z0-9-]+$/.test(byName) ? byName : `${tag}-${node.vmid}`;
}

async function checkHost(): Promise<void> {
  if (process.platform !== 'linux') throw new UserError('the netns substrate needs Linux');
  if (process.getuid?.() !== 0)
    throw new UserError('the netns substrate needs root (network namespaces, tun devices)', 'run kubedos up as root');
  if (!fs.existsSync('/dev/net/tun')) throw new UserError('the netns substrate needs /dev/net/tun (wireguard-go)');
  const missing: string[] = [];
  for (const cmd of REQUIRED_COMMANDS) {
    if ((await runLocal(['sh', '-c', 'command -v "$1"', 'sh', cmd], { reject: false })).exitCode !== 0)
      missing.push(cmd);
  }
  if (missing.length) {
    throw new UserError(
      `the netns substrate needs ${missing.join(', ')}`,
      'apt-get install iproute2 wireguard-tools wireguard-go nftables iputils-ping',
    );
  }
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
  const deadline = Date.now() + opts.timeoutMs;
  while (pending.length > 0) {
    if (opts.signal.aborted) throw new UserError('interrupted');
    const ok = await Promise.all(pending.map(([n, a]) => limit(() => pingFrom(runOn(n), a, { deadlineSeconds: 2 }))));
    pending = pending.filter((_, i) => !ok[i]);
    if (pending.length && Date.now() > deadline) {
      throw new UserError(
        `planes not ready within ${opts.timeoutMs / 1000}s: ${pending.map(([n, a]) => `${n}→${a}`).join(', ')}`,
      );
    }
  }
}

export async function netnsUp(opts: NetnsUpOptions): Promise<NetnsDeployment> {
  const started = Date.now();
  await checkHost();
  const t = opts.topology;
  const tag = opts.tag ?? DEFAULT_NETNS_TAG;
  const run = runDir(opts.runRoot);
  const secrets = await prepareRun(run, {
    topology: t,
    topologyFile: opts.topologyFile,
    upMarker: labFile(run),
    substrate: 'netns',
  });
  const lab = NetnsLab.open(labFile(run), tag);
  const nsOf = new Map(t.nodes.map((n) => [n.hostname, namespaceName(tag, n)]));
  const runOn = (node: string) =>
    runInNamespace(nsOf.get(node)!, privateWireguardRun(path.join(run.nodeDir(node), 'run')));
  const stop = async () => {
    await lab.teardown();
    unlinkCurrentHub(run.root);
  };
  try {
    const bridge = `${tag}-lan`;
    await lab.addBridge(bridge);
    const prefix = parseIpv4Network(t.lan.cidr).prefix;
    for (const n of t.nodes) {
      ensurePrivateDir(path.join(run.nodeDir(n.hostname), 'run'));
      await lab.addNamespace(nsOf.get(n.hostname)!, { bridge, address: `${n.ip}/${prefix}` });
    }
    const master = masterNode(t);
    const node = (entry: string, args: string[]) => [
      process.execPath,
      '--disable-warning=ExperimentalWarning',
      path.join(REPO, entry),
      ...args,
    ];
    fs.mkdirSync(run.logs, { recursive: true });
    const hubLog = path.join(run.logs, 'hub.log');
    clearHubReady(run.hubDir);
    const hubPid = lab.spawn(
      nsOf.get(master.hostname)!,
      node(
        'hub/main.ts',
        hubArgs({
          stateDir: run.hubDir,
          topologyFile: run.topologyCopy,
          secrets,
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
      isRunning: () => lab.isRunning(hubPid),
    });
    for (const n of t.nodes) {
      const dir = run.nodeDir(n.hostname);
      const identityFile = path.join(dir, 'identity.json');
      fs.copyFileSync(secrets.identityPath(n.hostname), identityFile);
      fs.chmodSync(identityFile, 0o600);
      const config: MinionConfigFile = {
        hub: `${master.ip}:${hubPort}`,
        hubCaPem: secrets.hubCaPem,
        identityFile,
        stateDir: path.join(dir, 'state'),
        useSmbios: false,
        root: path.join(dir, 'root'),
      };
      const configFile = path.join(dir, 'minion.json');
      writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n', 0o600);
      lab.spawn(nsOf.get(n.hostname)!, node('minion/main.ts', ['--config', configFile, '--planes', 'wireguard-go']), {
        logFile: path.join(run.logs, `${n.hostname}.log`),
        binds: privateWireguardRun(path.join(dir, 'run')),
      });
    }
    linkCurrentHub(run.hubDir);
    const { status, connectedAt } = await enrollAndConverge(run.hubDir, { ...opts, converge: false });
    const connectedMs = connectedAt - started;
    await waitForPlanes(t, (n) => runInNamespace(nsOf.get(n)!), {
      timeoutMs: Math.max(10_000, opts.timeoutMs - (Date.now() - started)),
      signal: opts.signal,
    });
    return {
      run,
      lab,
      status,
      connectedMs,
      planesReadyMs: Date.now() - started,
      runOn,
      namespaceOf: (n) => nsOf.get(n)!,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
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
