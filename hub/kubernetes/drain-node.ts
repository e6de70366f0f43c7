import { setTimeout as delay } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { withTimeout, type ClusterClient } from './cluster-client.ts';
import { readyCondition } from './node-view.ts';

const CALL_MS = 10_000;
/** A kubelet renews its node lease every 10 s: one not renewed in 25 s is gone. */
const LEASE_FRESH_MS = 25_000;

/** The pods a drain moves: not a static pod's mirror, not a DaemonSet's (it would come straight back), not finished. */
function movable(p: V1Pod): boolean {
  if (p.metadata?.annotations?.['kubernetes.io/config.mirror']) return false;
  if (p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet')) return false;
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

const key = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

/**
 * Before a node is replaced, the cluster lets it go, as `kubectl drain`
 * then `kubectl delete node` would: cordoned, its pods evicted (the
 * Eviction API, so a PodDisruptionBudget is honoured: refused evictions
 * are asked again until the deadline), and once they are gone (or at the
 * deadline, or as soon as the node is found gone: not Ready, or its
 * kubelet's lease not renewed; nothing there can stop them) the Node object
 * is deleted, with what the cluster keeps of it. Returns one line saying
 * what was done.
 */
export async function drainAndForget(
  client: ClusterClient,
  node: string,
  opts: { timeoutMs: number; log: (line: string) => void },
): Promise<string> {
  const { core, k8s, server } = client;
  const call = <T>(what: string, p: Promise<T>) => withTimeout(what, server, CALL_MS, p);
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  // Alive: Ready, and its kubelet renewed its lease lately (Ready stays True for a grace period after a loss).
  const coordination = client.coordination;
  const alive = async () => {
    const n = await call(`reading Node ${node}`, core.readNode({ name: node }));
    if (readyCondition(n)?.status !== 'True') return false;
    const lease = await call(
      `reading ${node}'s lease`,
      coordination.readNamespacedLease({ name: node, namespace: 'kube-node-lease' }),
    ).catch(() => undefined);
    const renewed = lease?.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
    return Date.now() - renewed < LEASE_FRESH_MS;
  };
  let ready: boolean;
  try {
    ready = await alive();
  } catch (err) {
    if ((err as Error).message.includes('answered 404')) return `no Node ${node} in the cluster: nothing to drain`;
    throw err;
  }
  await call(
    `cordoning ${node}`,
    core.patchNode(
      { name: node, body: { spec: { unschedulable: true } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    ),
  );
  const onNode = async () =>
    (
      await call(
        `listing the pods on ${node}`,
        core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }),
      )
    ).items.filter(movable);
  const evicted = new Set<string>();
  let pending = await onNode();
  while (pending.length > 0) {
    for (const p of pending) {
      if (evicted.has(key(p))) continue;
      const name = p.metadata!.name!;
      const namespace = p.metadata!.namespace!;
      try {
        await call(
          `evicting ${key(p)}`,
          core.createNamespacedPodEviction({
            name,
            namespace,
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
          }),
        );
        evicted.add(key(p));
      } catch (err) {
        const code = ((err as Error).cause as { code?: number } | undefined)?.code;
        if (code === 404) evicted.add(key(p));
        // 429: a disruption budget says not now; asked again below until the deadline.
        else if (code !== 429) opts.log((err as Error).message);
      }
    }
    if (!ready || Date.now() > deadline) {
      // Stopped waiting: what is still there after these evictions (the ones terminating included).
      pending = await onNode();
      break;
    }
    await delay(1_000);
    ready = await alive();
    pending = await onNode();
  }
  const left = pending.map(key);
  await call(`deleting Node ${node}`, core.deleteNode({ name: node })).catch((err: Error) => {
    if (!err.message.includes('answered 404')) throw err;
  });
  const took = ((Date.now() - started) / 1000).toFixed(0);
  return (
    `drained ${node}${ready ? '' : ' (gone: its pods were not waited for)'}: ${evicted.size} pod${evicted.size === 1 ? '' : 's'} evicted` +
    `${left.length ? `, ${left.length} still there (${left.slice(0, 3).join(', ')}${left.length > 3 ? ', …' : ''})` : ''} in ${took} s; Node ${node} deleted`
  );
}
