import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseToken, ProxmoxApi } from '../../../deploy/substrates/proxmox/api-client.ts';
import type { ApiTrust } from '../../../deploy/substrates/proxmox/tls-trust.ts';
import type { StampMedia } from '../../../deploy/substrates/proxmox/media-store.ts';
import { proxmoxDeploy, type DeployOptions } from '../../../deploy/substrates/proxmox/proxmox-deploy.ts';
import type { DeployStage } from '../../../deploy/pipeline/pipeline.ts';
import { loadTopology } from '../../../shared/topology/load.ts';
import type { Topology } from '../../../shared/topology/model.ts';
import type { LocalPve, RequestRecord } from './local-pve.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');

/** An example topology pointed at a local API (endpoint and fingerprint), on these Proxmox nodes, written to dir. */
export function topologyFor(
  pve: LocalPve,
  example: string,
  dir: string,
  edit: (doc: Record<string, unknown>) => void = () => undefined,
): { file: string; topology: Topology } {
  const doc = parseYaml(fs.readFileSync(path.join(REPO, 'examples', example), 'utf8')) as Record<string, unknown> & {
    proxmox: Record<string, unknown>;
  };
  doc.proxmox = {
    ...doc.proxmox,
    endpoint: pve.url,
    fingerprint: pve.fingerprint,
    nodes: pve.nodes,
    isoStorage: 'local',
  };
  edit(doc);
  const file = path.join(dir, example);
  fs.writeFileSync(file, stringifyYaml(doc));
  return { file, topology: loadTopology(file) };
}

/**
 * Stand-in media for stamping with booting off: small files with the real
 * media's roles (one ISO, a seed per node), uploaded and checked like them.
 */
export function smallMedia(t: Topology, dir: string, isoBytes = 1 << 20): StampMedia {
  const file = (name: string, bytes: number) => {
    const p = path.join(dir, name);
    if (!fs.existsSync(p)) fs.writeFileSync(p, randomBytes(bytes));
    const data = fs.readFileSync(p);
    return { file: p, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
  };
  return {
    iso: file('platform.iso', isoBytes),
    seeds: new Map(t.nodes.map((n) => [n.hostname, file(`${n.hostname}.seed.iso`, 64 * 1024)])),
  };
}

export function apiTo(pve: LocalPve, token = pve.token, trust?: ApiTrust): ProxmoxApi {
  return new ProxmoxApi({
    endpoint: pve.url,
    token: parseToken(token),
    trust: trust ?? { fingerprint: pve.fingerprint },
    retryBaseMs: 20,
  });
}

/** Deploy options for stamping with stand-in media (booting off): the fast tier, the crash test's child, the benchmark. */
export function stampOptions(
  t: Topology,
  file: string,
  media: StampMedia,
  api: ProxmoxApi,
  extra: Partial<DeployOptions> = {},
): DeployOptions {
  return {
    topology: t,
    topologyFile: file,
    runRoot: path.dirname(file),
    api,
    until: 'stamp',
    dryRun: false,
    concurrency: 4,
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    windowTtlMs: 60_000,
    quiet: true,
    media,
    say: () => undefined,
    ...extra,
  };
}

/** The deploy pipeline up to a stage, with stand-in media, as the fast tier runs it. */
export function stampWith(
  pve: LocalPve,
  t: Topology,
  file: string,
  media: StampMedia,
  extra: Partial<DeployOptions> & { until?: DeployStage } = {},
) {
  const lines: string[] = [];
  const api = extra.api ?? apiTo(pve);
  return proxmoxDeploy(stampOptions(t, file, media, api, { say: (l) => lines.push(l), ...extra })).then((report) => ({
    report,
    lines,
    api,
  }));
}

/** A seed going onto an ISO storage or off it: what a deploy does for nodes not yet enrolled, and on its way out. */
function isSeedMove(r: RequestRecord): boolean {
  if (r.method === 'POST' && r.path.endsWith('/upload')) return String(r.params.filename).includes('-seed-');
  return (
    r.method === 'DELETE' && r.path.includes('/content/') && /-seed-[0-9a-f]{12}\.iso$/.test(decodeURIComponent(r.path))
  );
}

/** The writes since `from` other than seeds going on and off the storage: none, for a deploy that changes nothing. */
export function writesBesidesSeeds(pve: LocalPve, from: number): RequestRecord[] {
  return pve
    .writes()
    .slice(from)
    .filter((r) => !isSeedMove(r));
}

/** The seeds on every Proxmox node's ISO storage. */
export function seedsOnStorage(pve: LocalPve): string[] {
  return pve.nodes.flatMap((n) => pve.volumes(n, 'local').filter((v) => v.includes('-seed-')));
}
