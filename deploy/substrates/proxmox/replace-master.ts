import fs from 'node:fs';
import path from 'node:path';
import { restoreForNewMaster } from '../../../hub/backup/new-master-state.ts';
import { openHubBackup } from '../../../hub/backup/restore-hub-state.ts';
import { ensureDeploymentSecrets, renewNodeCredential } from '../../../iso-builder/deployment-secrets.ts';
import { NODE_PATHS } from '../../../iso-builder/node-layout.ts';
import { folderSeedFiles, type SeedFile } from '../../../iso-builder/node-seed.ts';
import { ensurePrivateDir, writeFileAtomic } from '../../../shared/fs/atomic-write.ts';
import { readKeyFile } from '../../../shared/fs/read-input.ts';
import { masterNode } from '../../../shared/planes/peer-lists.ts';
import type { Topology } from '../../../shared/topology/model.ts';
import { runDir } from '../../toolkit/run-dir.ts';
import type { ProxmoxApi } from './api-client.ts';
import { isOurs } from './cluster-view.ts';
import { findHubBackup } from './master-backup.ts';
import type { ProxmoxSubstrate } from './substrate.ts';

/**
 * `kubedos redeploy master`: the master made again like any node, its hub
 * starting from a backup. Everything is found and checked on this machine
 * before anything is destroyed (the backup opens with the recovery key,
 * the hub signed it, it is this deployment's, its database is whole), and
 * kept in the run dir, so a run killed after the old VM went finds it
 * again. The restored state rides in the new master's seed, with the
 * master's own node revoked and given a new credential: the hub starts
 * from it at first boot, and every other node reconnects with the keys,
 * addresses and CAs it has. What the seeds expose: docs/proxmox.md.
 */
export async function replaceMaster(o: {
  topology: Topology;
  api: ProxmoxApi;
  runRoot: string;
  dryRun: boolean;
  backup?: string;
  substrate: ProxmoxSubstrate;
  say(line: string): void;
}): Promise<SeedFile[]> {
  const t = o.topology;
  const master = masterNode(t);
  const run = runDir(o.runRoot);
  const keptDir = path.join(run.root, 'hub-backups');
  if (o.dryRun && !o.backup) {
    o.say(
      `would replace ${master.hostname}: its hub's state from a backup the old master takes now, else the newest copy; destroy its VM, make it again with that state in its seed`,
    );
    return [];
  }
  // The substrate's own survey (it refuses VMIDs something else holds before anything is destroyed).
  const view = await o.substrate.survey();
  const found = await findHubBackup({
    api: o.api,
    topology: t,
    view,
    keptDir,
    say: o.say,
    ...(o.backup ? { file: o.backup } : {}),
  });
  const secrets = await ensureDeploymentSecrets(run.secrets, t);
  const bundle = openHubBackup(
    found.sealed,
    readKeyFile('recovery key', secrets.recoveryKeyPath),
    t.name,
    secrets.hubCaPem,
  );
  const age = Math.round((Date.now() - bundle.takenAtMs) / 60_000);
  o.say(
    `the new master's hub starts from ${found.from}, taken ${new Date(bundle.takenAtMs).toISOString()} (${age} min ago)`,
  );
  if (o.dryRun) {
    o.say(`would replace ${master.hostname}: destroy its VM, make it again with that hub state in its seed`);
    return [];
  }
  if (found.name) {
    ensurePrivateDir(keptDir);
    writeFileAtomic(path.join(keptDir, found.name), found.sealed, 0o600);
  }
  // Its seed's credential was spent by its first enrollment: the new VM's seed carries a new one, made here.
  const credential = Buffer.from(await renewNodeCredential(run.secrets, t, master.hostname), 'base64');
  ensurePrivateDir(run.root);
  const work = fs.mkdtempSync(path.join(run.root, '.new-master-'));
  let files: SeedFile[];
  try {
    fs.chmodSync(work, 0o700);
    const state = path.join(work, 'hub');
    const r = restoreForNewMaster(state, bundle, master.hostname, credential);
    o.say(`${master.hostname}: its own node's old keys revoked in the restored state (generation ${r.generation})`);
    files = folderSeedFiles(state, NODE_PATHS.hubState);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const vm = view.vms.get(master.vmid);
  if (vm && isOurs(vm, t.name, master.hostname)) await o.substrate.removeVm(vm);
  // The VM just removed is gone from the pipeline's view too.
  await o.substrate.survey();
  return files;
}
