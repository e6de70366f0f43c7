import { withTimeout, type ClusterClient } from './cluster-client.ts';

/** A node as the cluster's API sees it. */
export interface KubeNodeView {
  ready: boolean;
  kubeletVersion: string;
  /** Why it is not Ready (the Ready condition's reason and message); empty when Ready. */
  reason: string;
  unschedulable: boolean;
}

/** Every Node object by name, read from the API (one list call). */
export async function kubeNodeViews(client: ClusterClient, timeoutMs: number): Promise<Map<string, KubeNodeView>> {
  const list = await withTimeout('listing the nodes', client.server, timeoutMs, client.core.listNode());
  const views = new Map<string, KubeNodeView>();
  for (const n of list.items) {
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
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
