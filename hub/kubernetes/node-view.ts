import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import { withTimeout, type ClusterClient } from './cluster-client.ts';

/** A node as the cluster's API sees it. */
export interface KubeNodeView {
  ready: boolean;
  kubeletVersion: string;
  /** Why it is not Ready (the Ready condition's reason and message); empty when Ready. */
  reason: string;
  unschedulable: boolean;
}

/** The Node's Ready condition (its status, reason and message), if the kubelet has set one. */
export function readyCondition(n: V1Node): V1NodeCondition | undefined {
  return n.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Every Node object by name, read from the API (one list call). */
export async function kubeNodeViews(client: ClusterClient, timeoutMs: number): Promise<Map<string, KubeNodeView>> {
  const list = await withTimeout('listing the nodes', client.server, timeoutMs, client.core.listNode());
  const views = new Map<string, KubeNodeView>();
  for (const n of list.items) {
    const ready = readyCondition(n);
    views.set(n.metadata?.name ?? '', {
      ready: ready?.status === 'True',
      kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
      reason:
        ready?.status === 'True'
          ? ''
          : [ready?.reason, ready?.message].filter(Boolean).join(': ') || 'no Ready condition yet',
      unschedulable: n.spec?.unschedulable ?? false,
    });
  }
  return views;
}
