import type { TopologyNode } from '../../shared/topology/model.ts';

export interface ControlPlaneAnchor {
  /** The control plane the others join through: it runs the API probe and uploads the certificates. */
  node: TopologyNode;
  /**
   * The anchor's task is kubeadm init: it is the first control plane, of a
   * new cluster or still a member of the one it made (then its marker makes
   * init a no-op). False: the anchor is a member that joined.
   */
  init: boolean;
  /** Every other control plane: each joins (a member's join is a no-op by its marker). */
  joining: TopologyNode[];
}

/**
 * Init or join, decided from the cluster's state rather than list order.
 * `members` are the control planes the hub has seen finish kubeadm since
 * their current enrollment. None: the cluster is new and the first control
 * plane inits it. Otherwise the first member in topology order is the anchor
 * and every other control plane, a rebuilt cp-1 included, joins through it.
 */
export function controlPlaneAnchor(cps: TopologyNode[], members: readonly string[] = []): ControlPlaneAnchor {
  const [first] = cps;
  if (!first) throw new Error('topology has no control plane');
  const node = cps.find((n) => members.includes(n.hostname)) ?? first;
  return { node, init: node === first, joining: cps.filter((n) => n !== node) };
}
