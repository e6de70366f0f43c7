import { UserError } from '../../../shared/errors.ts';
import type { Topology } from '../../../shared/topology/model.ts';
import { vmPath, type ProxmoxApi } from './api-client.ts';
import { deploymentTag, ownerOf } from './vm-shape.ts';
import { pollUntil } from '../../toolkit/poll.ts';

export interface ExistingVm {
  vmid: number;
  node: string;
  name: string;
  status: string;
  type: string;
  config: Record<string, unknown>;
  owner: { deployment: string; node: string } | undefined;
}

export interface ClusterView {
  /** Online Proxmox nodes. */
  online: string[];
  /** Every VM on a VMID the topology names, and every VM tagged and described as this deployment's. */
  vms: Map<number, ExistingVm>;
}

interface Resource {
  vmid?: number;
  node?: string;
  name?: string;
  status?: string;
  type?: string;
  tags?: string;
}

/**
 * What the cluster holds that kubedos cares about, read before anything is
 * written: the nodes, and the config of every VM on a VMID of the topology.
 */
export async function readCluster(api: ProxmoxApi, t: Topology): Promise<ClusterView> {
  const nodes = await api.get<Array<{ node: string; status?: string }>>('/nodes');
  const online = nodes.filter((n) => n.status === undefined || n.status === 'online').map((n) => n.node);
  const missing = t.proxmox.nodes.filter((n) => !nodes.some((x) => x.node === n));
  if (missing.length)
    throw new UserError(
      `proxmox.nodes names ${missing.join(', ')}, which the cluster does not have (it has ${nodes.map((n) => n.node).join(', ') || 'none'})`,
      'fix proxmox.nodes in the topology',
    );
  const resources = await api.get<Resource[]>('/cluster/resources', { type: 'vm' });
  const wanted = new Set(t.nodes.map((n) => n.vmid));
  const vms = new Map<number, ExistingVm>();
  for (const r of resources) {
    if (r.vmid === undefined || !r.node) continue;
    const tagged = (r.tags ?? '').split(/[;, ]+/).includes(deploymentTag(t.name));
    const candidate = wanted.has(r.vmid) || tagged;
    if (!candidate) continue;
    const config = r.type === 'qemu' ? await settledConfig(api, r.node, r.vmid) : ({} as Record<string, unknown>);
    const owner = ownerOf(typeof config.description === 'string' ? config.description : undefined);
    if (!wanted.has(r.vmid) && owner?.deployment !== t.name) continue;
    vms.set(r.vmid, {
      vmid: r.vmid,
      node: r.node,
      name: r.name ?? '',
      status: r.status ?? 'unknown',
      type: r.type ?? 'qemu',
      config,
      owner,
    });
  }
  return { online, vms };
}

/** Whether the VM on this VMID is the topology node's, made by this deployment. */
export function isOurs(vm: ExistingVm, deployment: string, node: string): boolean {
  return vm.type === 'qemu' && vm.owner?.deployment === deployment && vm.owner.node === node;
}

/** One line per VMID the topology wants that something else holds: refused, never touched. */
export function foreignHolders(view: ClusterView, t: Topology): string[] {
  const lines: string[] = [];
  for (const n of t.nodes) {
    const vm = view.vms.get(n.vmid);
    if (!vm || isOurs(vm, t.name, n.hostname)) continue;
    const whose = vm.owner
      ? `kubedos deployment ${vm.owner.deployment}'s node ${vm.owner.node}`
      : `${vm.type === 'lxc' ? 'container' : 'VM'} "${vm.name}", not made by kubedos`;
    lines.push(`VMID ${n.vmid} (for ${n.hostname}) is taken on ${vm.node} by ${whose}`);
  }
  return lines;
}

/**
 * A VM's config once no task holds its lock: a create still running (say,
 * from a deploy that was killed) is waited for, not taken for drift.
 */
export async function settledConfig(api: ProxmoxApi, node: string, vmid: number): Promise<Record<string, unknown>> {
  let lock = '';
  return pollUntil({
    what: `VM ${vmid}'s config`,
    probe: async () => {
      const config = await api.get<Record<string, unknown>>(vmPath(node, vmid, '/config'));
      lock = String(config.lock ?? '');
      return config.lock ? undefined : config;
    },
    probeErrorsEnd: true,
    everyMs: 1000,
    withinMs: 120_000,
    late: () =>
      new UserError(
        `VM ${vmid} on ${node} has been locked (${lock}) for 2 minutes`,
        `see its task on ${node}; if none runs, "qm unlock ${vmid}"`,
      ),
  });
}
