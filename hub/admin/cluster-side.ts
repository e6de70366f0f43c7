import type { NodeStatus } from '../../proto/gen/kubedos/v1/NodeStatus.ts';
import { runsPods } from '../../shared/kubernetes/pod-subnets.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { clusterClient } from '../kubernetes/cluster-client.ts';
import { drainAndForget } from '../kubernetes/drain-node.ts';
import { kubeNodeViews } from '../kubernetes/node-view.ts';

/** hubctl status waits this long for the API before it shows the kubedos side alone. */
const STATUS_READ_MS = 4_000;
/** A drain before a replacement gives the pods this long to go. */
const DRAIN_MS = 90_000;

/**
 * `hubctl status`'s Kubernetes side: each kubelet node's Node object beside
 * the hub's own record, read from the cluster's API. Nothing is read before
 * the cluster exists (no node has joined it); an API that does not answer
 * is said in one line, and the kubedos side is shown anyway.
 */
export async function clusterSide(
  pkiDir: string,
  t: Topology,
  members: readonly string[],
  nodes: NodeStatus[],
): Promise<{ kubernetesError: string }> {
  if (members.length === 0) return { kubernetesError: '' };
  let views;
  try {
    views = await kubeNodeViews(await clusterClient(pkiDir, t), STATUS_READ_MS);
  } catch (err) {
    return { kubernetesError: (err as Error).message };
  }
  const kubelets = new Set(t.nodes.filter(runsPods).map((n) => n.hostname));
  for (const n of nodes) {
    if (!n.name || !kubelets.has(n.name)) continue;
    const v = views.get(n.name);
    n.kubernetes = v
      ? { registered: true, ...v }
      : { registered: false, ready: false, kubeletVersion: '', reason: 'no Node object', unschedulable: false };
  }
  return { kubernetesError: '' };
}

/**
 * Before `hubctl replace`, the cluster lets the node go (drained, its Node
 * deleted). The replacement goes on when the API cannot be reached: the
 * node is broken or the cluster is, and the next converge deletes the Node
 * before the new node joins (the plan's forget-node task).
 */
export async function releaseFromCluster(
  pkiDir: string,
  t: Topology,
  node: string,
  log: (line: string) => void,
): Promise<string> {
  try {
    return await drainAndForget(await clusterClient(pkiDir, t), node, { timeoutMs: DRAIN_MS, log });
  } catch (err) {
    return `not drained: ${(err as Error).message}; the next converge deletes Node ${node} before the new node joins`;
  }
}
