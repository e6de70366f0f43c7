import pLimit from 'p-limit';
import type { Topology } from '../../../shared/topology/model.ts';
import type { ProxmoxApi } from './api-client.ts';
import { readCluster } from './cluster-view.ts';
import { ProxmoxSubstrate } from './substrate.ts';

export interface DestroyReport {
  deployment: string;
  vms: Array<{ vmid: number; node: string; name: string }>;
  media: string[];
  destroyed: boolean;
}

/**
 * `kubedos destroy`: stops and purges exactly this deployment's VMs (those
 * whose description names it) and deletes its media; anything else on the
 * cluster, even on a VMID of the topology, is left alone. Without `yes` it
 * only says what it would remove.
 */
export async function proxmoxDestroy(o: {
  topology: Topology;
  api: ProxmoxApi;
  yes: boolean;
  signal: AbortSignal;
  say: (s: string) => void;
}): Promise<DestroyReport> {
  const t = o.topology;
  const view = await readCluster(o.api, t);
  const ours = [...view.vms.values()].filter((vm) => vm.type === 'qemu' && vm.owner?.deployment === t.name);
  const report: DestroyReport = {
    deployment: t.name,
    vms: ours.map((vm) => ({ vmid: vm.vmid, node: vm.node, name: vm.owner!.node })),
    media: [],
    destroyed: false,
  };
  const substrate = new ProxmoxSubstrate({
    topology: t,
    api: o.api,
    dryRun: !o.yes,
    concurrency: 4,
    signal: o.signal,
    say: o.say,
  });
  if (!o.yes) return report;
  const limit = pLimit(4);
  await Promise.all(ours.map((vm) => limit(() => substrate.removeVm({ ...vm, name: vm.owner!.node }))));
  report.media = await substrate.collectMedia({ all: true });
  report.destroyed = true;
  return report;
}
