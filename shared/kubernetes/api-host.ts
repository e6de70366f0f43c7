import type { Topology } from '../topology/model.ts';

/**
 * Where the API answers: the VIP the load balancers hold; a topology with no
 * load balancer (a non-HA lab) uses its first control plane's LAN address.
 * The kubeadm configs, kubeconfigs and the firewall all take it from here.
 */
export function apiHost(t: Topology): string {
  if (t.nodes.some((n) => n.role === 'lb')) return t.apiVip;
  const cp = t.nodes.find((n) => n.role === 'cp');
  return cp ? cp.ip : t.apiVip;
}
