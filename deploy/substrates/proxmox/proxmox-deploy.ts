import fs from 'node:fs';
import path from 'node:path';
import type { StatusResponse__Output } from '../../../proto/gen/kubedos/v1/StatusResponse.ts';
import { ensurePrivateDir } from '../../../shared/fs/atomic-write.ts';
import { UserError } from '../../../shared/errors.ts';
import type { Topology } from '../../../shared/topology/model.ts';
import { buildDeploymentMedia } from '../../media/build-media.ts';
import { renewNodeCredential } from '../../../iso-builder/deployment-secrets.ts';
import type { SeedFile } from '../../../iso-builder/node-seed.ts';
import { runDir } from '../../toolkit/run-dir.ts';
import { guestHubControl, guestHubctl } from '../../pipeline/guest-hub.ts';
import { runPipeline, type DeployStage } from '../../pipeline/pipeline.ts';
import { masterNode } from '../../../shared/planes/peer-lists.ts';
import { parseToken, ProxmoxApi, readTokenFile, type CallStats } from './api-client.ts';
import { isOurs } from './cluster-view.ts';
import { ProxmoxGuest } from './guest.ts';
import type { StampMedia } from './media-store.ts';
import { replaceMaster } from './replace-master.ts';
import { ProxmoxSubstrate, type VmReport } from './substrate.ts';
import { trustFrom } from './tls-trust.ts';
import { takeEnvToken } from './env-token.ts';
import { pollUntil } from '../../toolkit/poll.ts';

export interface ApiSettings {
  endpoint?: string;
  fingerprint?: string;
  caFile?: string;
  tokenFile?: string;
  retryBaseMs?: number;
}

/** The API client for a topology: its endpoint and TLS trust (flags override them), the token from the environment or a file. */
export function apiFor(t: Topology, topologyFile: string, s: ApiSettings = {}): ProxmoxApi {
  const endpoint = s.endpoint ?? t.proxmox.endpoint;
  if (!endpoint)
    throw new UserError(
      'the topology has no proxmox.endpoint',
      'add proxmox.endpoint: https://HOST:8006 (or give --endpoint)',
    );
  const raw = s.tokenFile ? readTokenFile(s.tokenFile) : takeEnvToken();
  if (!raw)
    throw new UserError(
      'no Proxmox API token',
      'set KUBEDOS_PROXMOX_TOKEN=USER@REALM!TOKENID=SECRET or give --token-file FILE (see docs/proxmox.md)',
    );
  const caFile =
    s.caFile ?? (t.proxmox.caFile ? path.resolve(path.dirname(topologyFile), t.proxmox.caFile) : undefined);
  return new ProxmoxApi({
    endpoint,
    token: parseToken(raw),
    trust: trustFrom({ fingerprint: s.fingerprint ?? (s.caFile ? undefined : t.proxmox.fingerprint), caFile }),
    ...(s.retryBaseMs !== undefined ? { retryBaseMs: s.retryBaseMs } : {}),
  });
}

export interface DeployOptions {
  topology: Topology;
  topologyFile: string;
  runRoot: string;
  api: ProxmoxApi;
  until: DeployStage;
  dryRun: boolean;
  concurrency: number;
  signal: AbortSignal;
  timeoutMs: number;
  windowTtlMs: number;
  quiet: boolean;
  /** Prebuilt media (tests, benchmarks); otherwise they are built (root: the platform image). */
  media?: StampMedia;
  extraDebsDir?: string;
  cacheDir?: string;
  admin?: { user: string; sshPublicKey: string };
  bootPollMs?: number;
  say?: (line: string) => void;
  /** Redeploy: these nodes only, their VMs destroyed and made again. */
  only?: string[];
  /** Redeploy of the master: the sealed hub backup its hub starts from (otherwise one is found). */
  backup?: string;
}

export interface DeployReport {
  deployment: string;
  reached: DeployStage;
  dryRun: boolean;
  vms: VmReport[];
  uploads: ProxmoxSubstrate['uploads'];
  warnings: string[];
  api: CallStats;
  seconds: Partial<Record<DeployStage, number>>;
  status?: StatusResponse__Output;
}

/** Builds (or takes) the media: one platform ISO, a seed per node, as the Proxmox path uploads them. */
async function mediaFor(o: DeployOptions, say: (s: string) => void, masterState?: SeedFile[]): Promise<StampMedia> {
  if (o.media) {
    if (masterState?.length) throw new Error('prebuilt media cannot carry a restored hub state');
    return o.media;
  }
  if (process.getuid?.() !== 0)
    throw new UserError(
      'building the platform image needs root (mmdebstrap --mode=root)',
      'run kubedos deploy with sudo',
    );
  const run = runDir(o.runRoot);
  ensurePrivateDir(run.root);
  fs.copyFileSync(o.topologyFile, run.topologyCopy);
  const m = await buildDeploymentMedia({
    topology: o.topology,
    topologyFile: run.topologyCopy,
    secretsDir: run.secrets,
    outDir: path.join(run.root, 'media'),
    ...(o.extraDebsDir ? { extraDebsDir: o.extraDebsDir } : {}),
    ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
    ...(o.admin ? { admin: o.admin } : {}),
    ...(masterState ? { extraSeedFiles: new Map([[masterNode(o.topology).hostname, masterState]]) } : {}),
    quiet: o.quiet,
    onStep: say,
  });
  return {
    iso: { file: m.iso.iso, sha256: m.iso.sha256, bytes: m.iso.bytes },
    seeds: new Map(m.seeds.map((s) => [s.node, { file: s.file, sha256: s.sha256, bytes: s.bytes }])),
  };
}

/** `kubedos deploy`: the pipeline on the proxmox substrate. */
export async function proxmoxDeploy(o: DeployOptions): Promise<DeployReport> {
  // Progress goes to stderr even with --json (stdout carries the JSON): a deploy is minutes of work.
  const say = o.say ?? ((s: string) => void process.stderr.write(`kubedos: ${s}\n`));
  const substrate = new ProxmoxSubstrate({
    topology: o.topology,
    api: o.api,
    dryRun: o.dryRun,
    concurrency: o.concurrency,
    signal: o.signal,
    say,
    ...(o.only ? { only: o.only } : {}),
    ...(o.bootPollMs ? { bootPollMs: o.bootPollMs } : {}),
  });
  // Everything is read, and a foreign VMID refused, before the first write.
  await substrate.survey();
  const masterState = o.only ? await replaceNodes(o, substrate, say) : undefined;
  // A dry run goes no further than what it can tell without a write.
  const until: DeployStage = o.dryRun && ['boot', 'enroll', 'converge'].includes(o.until) ? 'stamp' : o.until;
  const result = await runPipeline(substrate, {
    until,
    build: () => mediaFor(o, say, masterState),
    signal: o.signal,
    timeoutMs: o.timeoutMs,
    windowTtlMs: o.windowTtlMs,
    quiet: o.quiet,
    say,
    pollMs: 500,
    ...(o.only ? { windowNodes: o.only } : {}),
  });
  return {
    deployment: o.topology.name,
    reached: result.reached,
    dryRun: o.dryRun,
    vms: o.topology.nodes.flatMap((n) => substrate.reports.get(n.hostname) ?? []),
    uploads: substrate.uploads,
    warnings: substrate.warnings,
    api: o.api.stats,
    seconds: result.seconds,
    ...(result.status ? { status: result.status } : {}),
  };
}

/**
 * Redeploy's first half, "if it breaks, replace it": the hub revokes the
 * node's keys (it keeps its addresses; etcd and the control plane follow
 * their replacement rules on the next converge), then its VM is destroyed.
 * The pipeline then makes it again from the same artifact.
 */
async function replaceNodes(
  o: DeployOptions,
  substrate: ProxmoxSubstrate,
  say: (s: string) => void,
): Promise<SeedFile[] | undefined> {
  const t = o.topology;
  const master = masterNode(t);
  for (const name of o.only!)
    if (!t.nodes.some((n) => n.hostname === name))
      throw new UserError(`${name} is not a node of ${t.name}`, `nodes: ${t.nodes.map((n) => n.hostname).join(', ')}`);
  if (o.only!.includes(master.hostname)) {
    if (o.only!.length > 1)
      throw new UserError(
        'the master is redeployed alone: the others are replaced through its hub',
        `kubedos redeploy ${master.hostname}, then kubedos redeploy ${o.only!.filter((n) => n !== master.hostname).join(' ')}`,
      );
    return replaceMaster({ ...o, substrate, say, ...(o.backup ? { backup: o.backup } : {}) });
  }
  if (o.backup) throw new UserError('--backup is for redeploy of the master alone');
  // The substrate's own survey (it refuses VMIDs something else holds before the hub revokes anything).
  const view = await substrate.survey();
  const masterVm = view.vms.get(master.vmid);
  if (!masterVm || !isOurs(masterVm, t.name, master.hostname))
    throw new UserError(`the master VM ${master.vmid} is not there`, 'run kubedos deploy first');
  if (o.dryRun) {
    for (const name of o.only!)
      say(`would replace ${name}: hubctl replace, destroy its VM, create and enroll it again`);
    return;
  }
  const guest = new ProxmoxGuest(o.api, masterVm.node, master.vmid);
  for (const name of o.only!) {
    // Its seed's credential was spent by its first enrollment: the new VM's seed carries a new one, made here.
    const credential = await renewNodeCredential(runDir(o.runRoot).secrets, t, name);
    // A Kubernetes node is drained first: the hub gives that up to 90 s.
    const out = await guestHubctl(guest, ['replace', name, '--credential-key', credential, '--json'], 180_000);
    const r = JSON.parse(out) as { generation: number; revokedKeys: string[]; kubernetes?: string };
    if (r.kubernetes) say(`${name}: ${r.kubernetes}`);
    say(`${name}: the hub revoked ${r.revokedKeys.length} keys (generation ${r.generation})`);
    const n = t.nodes.find((x) => x.hostname === name)!;
    const vm = view.vms.get(n.vmid);
    if (vm && isOurs(vm, t.name, name)) await substrate.removeVm(vm);
  }
  // The pipeline then waits for every node connected: first the hub must have seen these go.
  const hub = guestHubControl(guest);
  let still: string[] = [];
  await pollUntil({
    what: 'the hub to see the replaced nodes go',
    probe: async () => {
      const status = await hub.status();
      still = status.nodes.filter((n) => o.only!.includes(n.name) && n.state === 'connected').map((n) => n.name);
      return still.length === 0 || undefined;
    },
    probeErrorsEnd: true,
    everyMs: 2000,
    withinMs: 180_000,
    late: () =>
      new UserError(`the hub still counts ${still.join(', ')} as connected 3 minutes after its VM was destroyed`),
  });
  // The VMs just removed are gone from the pipeline's view too.
  await substrate.survey();
  return undefined;
}
