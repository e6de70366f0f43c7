import fs from 'node:fs';
import path from 'node:path';
import { HUB_BACKUP_COPIES_DIR, HUB_BACKUP_NAME } from '../../../minion/backup-copies.ts';
import { UserError } from '../../../shared/errors.ts';
import { readInputFile } from '../../../shared/fs/read-input.ts';
import { masterNode } from '../../../shared/planes/peer-lists.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { guestHubctl } from '../../pipeline/guest-hub.ts';
import type { ProxmoxApi } from './api-client.ts';
import { isOurs, type ClusterView } from './cluster-view.ts';
import { ProxmoxGuest } from './guest.ts';

/** A sealed hub backup, where it was found (said to the operator), and its name when the hub gave it one. */
export interface FoundBackup {
  sealed: Buffer;
  from: string;
  name?: string;
}

/** Where a fresh backup is written in the old master while it is read out (tmpfs; removed after). */
const FRESH = '/run/kubedos-redeploy.kdbackup';

/**
 * The hub backup a new master starts from, in this order: the operator's
 * file (`--backup`, from `hubctl hub backup --out`); else one taken now by
 * the old master's hub, when it still answers (a planned replacement loses
 * nothing); else the newest of the copies the storage nodes keep and those
 * an earlier redeploy kept in the run dir. Read out through the guest
 * agent. It is sealed: only the recovery key, on this machine, opens it.
 */
export async function findHubBackup(o: {
  api: ProxmoxApi;
  topology: Topology;
  view: ClusterView;
  file?: string;
  /** Backups kept on this machine by an earlier redeploy (a run killed after the old master went). */
  keptDir: string;
  say(line: string): void;
}): Promise<FoundBackup> {
  if (o.file) return { sealed: readInputFile('backup', o.file), from: o.file };
  const old = guestOf(o, masterNode(o.topology));
  if (old) {
    try {
      const taken = JSON.parse(await guestHubctl(old, ['hub', 'backup', '--out', FRESH, '--json'], 120_000)) as {
        name: string;
      };
      const sealed = await readGuestFile(old, FRESH);
      await old.exec(['rm', '-f', FRESH]).catch(() => undefined);
      return { sealed, from: "a backup the old master's hub took now", name: taken.name };
    } catch (err) {
      o.say(`the old master's hub gave no backup (${(err as Error).message}): looking for the newest copy`);
    }
  }
  const candidates: Array<{ name: string; from: string; read(): Promise<Buffer> }> = [];
  for (const name of listBackupNames(o.keptDir))
    candidates.push({
      name,
      from: `this machine's copy ${name}`,
      read: async () => fs.readFileSync(path.join(o.keptDir, name)),
    });
  for (const n of o.topology.nodes.filter((x) => x.role === 'storage')) {
    const guest = guestOf(o, n);
    const r = await guest?.exec(['ls', '-1', HUB_BACKUP_COPIES_DIR]).catch(() => undefined);
    for (const name of r?.code === 0 ? r.stdout.split('\n').filter((x) => HUB_BACKUP_NAME.test(x)) : [])
      candidates.push({
        name,
        from: `${n.hostname}'s copy ${name}`,
        read: () => readGuestFile(guest!, `${HUB_BACKUP_COPIES_DIR}/${name}`),
      });
  }
  const newest = candidates.sort((a, b) => (a.name < b.name ? 1 : -1))[0];
  if (newest) return { sealed: await newest.read(), from: newest.from, name: newest.name };
  throw new UserError(
    'no hub backup to start the new master from: the old master does not answer and no storage node keeps a copy',
    'give one: kubedos redeploy master --backup FILE (a copy taken with hubctl hub backup --out)',
  );
}

function listBackupNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((x) => HUB_BACKUP_NAME.test(x));
  } catch {
    return [];
  }
}

/** The guest agent of a node's VM, when it is this deployment's and running. */
function guestOf(o: { api: ProxmoxApi; topology: Topology; view: ClusterView }, n: TopologyNode) {
  const vm = o.view.vms.get(n.vmid);
  if (!vm || !isOurs(vm, o.topology.name, n.hostname) || vm.status !== 'running') return undefined;
  return new ProxmoxGuest(o.api, vm.node, n.vmid);
}

/** A binary file out of a guest: base64 over the agent's exec (its file-read answers text). */
async function readGuestFile(guest: ProxmoxGuest, file: string): Promise<Buffer> {
  const r = await guest.exec(['base64', '-w0', file], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new UserError(`reading ${file} in the VM: ${r.stderr.trim()}`);
  return Buffer.from(r.stdout.trim(), 'base64');
}
