import type { Topology } from '../../../shared/topology/model.ts';
import { UserError } from '../../../shared/errors.ts';
import type { ProxmoxApi } from './api-client.ts';

/** A file to place on an ISO storage: the platform ISO, or one node's seed. */
export interface MediaFile {
  file: string;
  sha256: string;
  bytes: number;
}

/** What a deployment installs from, as the Proxmox path needs it. */
export interface StampMedia {
  iso: MediaFile;
  seeds: Map<string, MediaFile>;
}

export const isoStorageOf = (t: Topology) => t.proxmox.isoStorage ?? 'local';

/** Names carry the content's hash: the same name on a storage is the same file, so a re-run uploads nothing. */
export function platformIsoName(t: Topology, m: MediaFile): string {
  return `kubedos-${t.name}-${m.sha256.slice(0, 12)}.iso`;
}
export function seedName(t: Topology, node: string, m: MediaFile): string {
  return `${seedPrefix(t, node)}${m.sha256.slice(0, 12)}.iso`;
}
/** What every seed of this node is named from, whatever its content. */
export const seedPrefix = (t: Topology, node: string) => `kubedos-${t.name}-${node}-seed-`;
export const volumeId = (t: Topology, name: string) => `${isoStorageOf(t)}:iso/${name}`;
/** Whether a volume is one of this deployment's media. */
export const isOurMedia = (t: Topology, volid: string) => volid.startsWith(`${isoStorageOf(t)}:iso/kubedos-${t.name}-`);

interface StorageEntry {
  storage: string;
  shared?: number | boolean;
  content?: string;
  active?: number | boolean;
}

export interface IsoStore {
  /** The Proxmox node through which a given node's ISO storage is written (one for a shared storage). */
  via(pveNode: string): string;
  /** Volume ids present, per writing node. */
  present: Map<string, Map<string, number>>;
}

/** Checks the ISO storage on every Proxmox node used and lists the media already there. */
export async function readIsoStore(api: ProxmoxApi, t: Topology, pveNodes: string[]): Promise<IsoStore> {
  const storage = isoStorageOf(t);
  const sharedVia = new Map<string, string>();
  let shared: string | undefined;
  const present = new Map<string, Map<string, number>>();
  for (const node of pveNodes) {
    const list = await api.get<StorageEntry[]>(`/nodes/${encodeURIComponent(node)}/storage`);
    const entry = list.find((s) => s.storage === storage);
    if (!entry)
      throw new UserError(
        `Proxmox node ${node} has no storage ${storage} (proxmox.isoStorage)`,
        'name a storage that holds ISO images',
      );
    if (!(entry.content ?? '').split(',').includes('iso'))
      throw new UserError(
        `storage ${storage} on ${node} does not take ISO images (content: ${entry.content ?? 'none'})`,
        'allow content type iso on it, or name another',
      );
    if (entry.shared === 1 || entry.shared === true) shared ??= node;
    const writer = entry.shared === 1 || entry.shared === true ? shared! : node;
    sharedVia.set(node, writer);
    if (present.has(writer)) continue;
    const content = await api.get<Array<{ volid: string; size?: number }>>(
      `/nodes/${encodeURIComponent(writer)}/storage/${encodeURIComponent(storage)}/content`,
      { content: 'iso' },
    );
    present.set(writer, new Map(content.map((c) => [c.volid, c.size ?? 0])));
  }
  return { via: (n) => sharedVia.get(n) ?? n, present };
}

/** Uploads a file unless the storage has it under its (content-hashed) name with its size; whether it uploaded. */
export async function ensureUploaded(
  api: ProxmoxApi,
  t: Topology,
  store: IsoStore,
  pveNode: string,
  name: string,
  m: MediaFile,
  dryRun: boolean,
): Promise<boolean> {
  const writer = store.via(pveNode);
  const volid = volumeId(t, name);
  const have = store.present.get(writer)!;
  if (have.get(volid) === m.bytes) return false;
  if (dryRun) return true;
  const upid = await api.upload(writer, isoStorageOf(t), m.file, name, m.sha256);
  await api.waitTask(writer, upid, `upload ${name} to ${isoStorageOf(t)} on ${writer}`);
  have.set(volid, m.bytes);
  return true;
}

/** Deletes a media volume (seeds once their node enrolled; everything on destroy). */
export async function deleteMedia(
  api: ProxmoxApi,
  t: Topology,
  store: IsoStore,
  pveNode: string,
  volid: string,
): Promise<void> {
  const writer = store.via(pveNode);
  // Proxmox answers a UPID, or null when it did the delete itself (with `delay`); anything else is refused.
  const upid = await api.taskOrDone(
    'DELETE',
    `/nodes/${encodeURIComponent(writer)}/storage/${encodeURIComponent(isoStorageOf(t))}/content/${encodeURIComponent(volid)}`,
  );
  if (upid) await api.waitTask(writer, upid, `delete ${volid}`);
  store.present.get(writer)?.delete(volid);
}
