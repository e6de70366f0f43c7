import type { DeployStage, Deployment } from '../pipeline/pipeline.ts';
import type { LocalUpOptions } from '../pipeline/up-options.ts';
import type { SubstrateName } from '../toolkit/run-dir.ts';
import { netnsDown, netnsUp } from './netns/substrate.ts';
import { nspawnDown, nspawnUp } from './nspawn/substrate.ts';
import { qemuDown, qemuUp } from './qemu/substrate.ts';
import { simDown, simUp } from './sim/substrate.ts';

/** What `kubedos up` gives a substrate: the pipeline's options, and each substrate's own (ignored by the others). */
export interface UpRequest extends LocalUpOptions {
  /** sim: leave the processes running when `up` returns. */
  detach?: boolean;
  /** nspawn, qemu: .debs not in Debian. */
  extraDebsDir?: string;
  /** qemu: install every node again. */
  fresh?: boolean;
  /** qemu: the admin login on every VM. */
  admin?: { user: string; sshPublicKey: string };
}

/** One substrate as `kubedos up` and `kubedos down` see it. */
export interface SubstrateEntry {
  name: SubstrateName;
  /** For --substrate's help. */
  about: string;
  /** The last stage its nodes reach (netns nodes enroll and bring their planes up; they do not converge). */
  lastStage: DeployStage;
  /** Its nodes are real machines of the platform image: once converged there is a Kubernetes API to name. */
  realNodes: boolean;
  up(o: UpRequest): Promise<Deployment>;
  /** Takes the deployment in runRoot down; what was stopped, in one line. */
  down(runRoot: string): Promise<string>;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Every substrate `kubedos up` runs on this host, by name; Proxmox has its own commands (`kubedos deploy`). */
export const SUBSTRATES: Record<SubstrateName, SubstrateEntry> = {
  sim: {
    name: 'sim',
    about: 'processes on loopback',
    lastStage: 'converge',
    realNodes: false,
    up: (o) => simUp({ ...o, detach: !!o.detach }),
    down: async (runRoot) => `stopped ${plural(await simDown(runRoot), 'process', 'processes')} (${runRoot})`,
  },
  nspawn: {
    name: 'nspawn',
    about: 'root: real Debian containers from the platform image',
    lastStage: 'converge',
    realNodes: true,
    up: (o) => nspawnUp({ ...o, ...(o.extraDebsDir ? { extraDebsDir: o.extraDebsDir } : {}) }),
    down: async (runRoot) =>
      `stopped and removed ${plural(await nspawnDown(runRoot), 'container')}, their layers and the bridge (${runRoot})`,
  },
  qemu: {
    name: 'qemu',
    about: 'root: VMs in the Proxmox shape, installed from the platform ISO',
    lastStage: 'converge',
    realNodes: true,
    up: (o) => qemuUp({ ...o, fresh: !!o.fresh }),
    down: async (runRoot) =>
      `stopped ${plural(await qemuDown(runRoot), 'VM')} and removed the lab network; their disks are kept (${runRoot})`,
  },
  netns: {
    name: 'netns',
    about: 'root: namespaces and real WireGuard planes',
    lastStage: 'enroll',
    realNodes: false,
    up: (o) => netnsUp(o),
    down: async (runRoot) =>
      `removed ${plural(await netnsDown(runRoot), 'namespace')} and their processes (${runRoot})`,
  },
};
