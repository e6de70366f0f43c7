import { timeSource } from './roles/time-source.ts';
import type { Topology, TopologyNode } from '../../shared/topology/model.ts';
import type { PlanMaterial, PlanOptions } from './material.ts';
import type { Plan } from './model.ts';
import { PlanBuilder } from './plan-builder.ts';
import { containerd, isKubernetesNode, kubePackages, nodeExporter, preflight } from './roles/base.ts';
import type { RoleContext } from './roles/context.ts';
import { controlPlaneAnchor } from './control-plane-anchor.ts';
import { containerImages, podNetwork } from './roles/cni.ts';
import {
  apiReadyGate,
  forgetNode,
  hubSecrets,
  joinTokenInCluster,
  kubeadmInit,
  kubeadmJoin,
  uploadCerts,
} from './roles/control-plane.ts';
import { etcdHealthGate, etcdMember } from './roles/etcd.ts';
import { apiVipGate, loadBalancer } from './roles/load-balancer.ts';
import { grafana, nfsServer, prometheus } from './roles/platform-services.ts';
import { minionNodes } from './render/prometheus.ts';

const DEFAULTS = {
  etcdBootstrapped: false,
  lanInterface: 'ens18',
  lanInterfaces: {},
  kubeletContainers: {},
  kubePackageRevision: '-1.1',
};

/**
 * The whole platform as one dependency graph. Nothing here is a phase
 * barrier: each task names exactly what it needs, so etcd, the load
 * balancers, the runtimes and the platform services all proceed at once and
 * kubeadm init starts the moment its own inputs are ready.
 */
export function buildPlan(t: Topology, material: PlanMaterial, options: PlanOptions = {}): Plan {
  const plan = new PlanBuilder();
  const ctx: RoleContext = {
    t,
    plan,
    material,
    options: {
      ...DEFAULTS,
      ...stripUndefined({ kubePackageRevision: darksiteKubeRevision(t, options.availablePackages) }),
      ...stripUndefined(options),
    },
    nodesOf: (role: TopologyNode['role']) => t.nodes.filter((n) => n.role === role),
  };
  const pre = new Map<string, string>();
  for (const node of t.nodes.filter(isKubernetesNode)) pre.set(node.hostname, preflight(ctx, node));
  for (const node of minionNodes(t)) nodeExporter(ctx, node);
  for (const node of minionNodes(t)) timeSource(ctx, node);

  const etcdServices = ctx.nodesOf('etcd').map((n) => etcdMember(ctx, n, pre.get(n.hostname)!));
  const etcdHealthy = etcdHealthGate(ctx, etcdServices);

  const lbTasks = ctx.nodesOf('lb').flatMap((n) => loadBalancer(ctx, n, pre.get(n.hostname)!));
  const apiVip = apiVipGate(ctx, lbTasks);

  const secrets = hubSecrets(ctx);
  const kubeReady = new Map<string, string[]>();
  for (const node of [...ctx.nodesOf('cp'), ...ctx.nodesOf('worker')]) {
    const p = pre.get(node.hostname)!;
    const runtime = containerd(ctx, node, [p]);
    const ready = [
      runtime,
      kubePackages(ctx, node, [p]),
      containerImages(ctx, node, [runtime]),
      podNetwork(ctx, node, [p]),
    ];
    kubeReady.set(node.hostname, ready);
  }
  const members = options.kubernetesMembers ?? [];
  const anchor = controlPlaneAnchor(ctx.nodesOf('cp'), members);
  const anchorInputs = [
    ...kubeReady.get(anchor.node.hostname)!,
    etcdHealthy,
    ...(apiVip ? [apiVip] : []),
    secrets.joinToken,
    secrets.certificateKey,
    secrets.encryptionKey,
  ];
  // The anchor's own task: init for a new cluster (a no-op by its marker once it is a member), else the join it made.
  const anchorTask = anchor.init
    ? kubeadmInit(ctx, anchor.node, anchorInputs)
    : kubeadmJoin(ctx, anchor.node, true, anchorInputs);
  const apiReady = apiReadyGate(ctx, anchor.node, [anchorTask]);
  const token = joinTokenInCluster(ctx, anchor.node, [apiReady]);
  // In a cluster that exists, a node that is not a member (rebuilt, or never finished) may have left a Node object behind.
  const forgotten = new Map<string, string>();
  for (const n of [...anchor.joining, ...ctx.nodesOf('worker')]) {
    if (members.length > 0 && !members.includes(n.hostname))
      forgotten.set(n.hostname, forgetNode(ctx, anchor.node, n, apiReady));
  }
  const afterForget = (n: TopologyNode) => (forgotten.has(n.hostname) ? [forgotten.get(n.hostname)!] : []);
  const certs = anchor.joining.length
    ? uploadCerts(ctx, anchor, anchor.joining, [apiReady, ...anchor.joining.flatMap(afterForget)])
    : apiReady;
  for (const cp of anchor.joining)
    kubeadmJoin(ctx, cp, true, [...kubeReady.get(cp.hostname)!, certs, token, ...afterForget(cp)]);
  for (const w of ctx.nodesOf('worker'))
    kubeadmJoin(ctx, w, false, [...kubeReady.get(w.hostname)!, apiReady, token, ...afterForget(w)]);

  const promReady = ctx.nodesOf('prometheus').map((n) => prometheus(ctx, n));
  for (const g of ctx.nodesOf('grafana')) grafana(ctx, g, promReady);
  for (const s of ctx.nodesOf('storage')) nfsServer(ctx, s);

  plan.validate();
  for (const cp of ctx.nodesOf('cp')) {
    const small = undersizedControlPlane(cp);
    const task = plan.tasks.find((x) => x.node === cp.hostname && /^kubeadm-(init|join)$/.test(x.name));
    if (small && task) plan.skip(task.id, small);
  }
  plan.skipUnavailable(options.availablePackages);
  return { deployment: t.name, tasks: plan.tasks, secrets: plan.secrets };
}

/** kubeadm's own minimum for a control plane (its NumCPU and Mem preflight checks). */
export const CONTROL_PLANE_MINIMUM = { cores: 2, memoryMiB: 1700 };

/**
 * Why kubeadm would refuse this control plane for its declared size, or
 * undefined: said as the task's skip instead of a preflight failure on the
 * node (the lab's one-core TCG VMs are this small on purpose).
 */
function undersizedControlPlane(node: TopologyNode): string | undefined {
  const { cores, memoryMiB } = CONTROL_PLANE_MINIMUM;
  if (node.cores >= cores && node.memoryMiB >= memoryMiB) return undefined;
  return (
    `${node.hostname} is declared with ${node.cores} core(s) and ${node.memoryMiB} MiB; a kubeadm control plane ` +
    `needs at least ${cores} cores and ${memoryMiB} MiB (nodes[].cores and memoryMiB in the topology)`
  );
}

/** The revision of the darksite's kubelet at the topology's Kubernetes version, if it has one ("-0kubedos1"). */
function darksiteKubeRevision(t: Topology, available: PlanOptions['availablePackages']): string | undefined {
  const version = t.kubernetes.version.replace(/^v/, '');
  const found = available?.kubelet?.find((v) => v.startsWith(`${version}-`));
  return found?.slice(version.length);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
