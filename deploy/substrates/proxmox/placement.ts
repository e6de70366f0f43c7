import type { Role, Topology } from '../../../shared/topology/model.ts';

/** Roles whose members must not share a Proxmox node: losing one host must not lose a quorum or the API. */
const SPREAD_ROLES: readonly Role[] = ['etcd', 'cp', 'lb'];

export interface Placement {
  /** Proxmox node per topology node. */
  node: Map<string, string>;
  /** Said to the operator: where the HA roles could not be spread. */
  warnings: string[];
}

/**
 * Places every node on a Proxmox node. A node's `pveNode`, or where its VM
 * already is, wins; the rest go, role by role (etcd, control planes, load
 * balancers first), to the Proxmox node with the fewest of that role, then
 * the fewest VMs. Pure.
 */
export function placeNodes(t: Topology, existing: ReadonlyMap<string, string> = new Map()): Placement {
  const pve = t.proxmox.nodes;
  const node = new Map<string, string>();
  const load = new Map(pve.map((p) => [p, 0]));
  const roleLoad = new Map<string, number>();
  const put = (host: string, role: Role, p: string) => {
    node.set(host, p);
    load.set(p, (load.get(p) ?? 0) + 1);
    roleLoad.set(`${role}/${p}`, (roleLoad.get(`${role}/${p}`) ?? 0) + 1);
  };
  for (const n of t.nodes) {
    const fixed = n.pveNode ?? existing.get(n.hostname);
    if (fixed) put(n.hostname, n.role, fixed);
  }
  const order = [...t.nodes].sort((a, b) => rank(a.role) - rank(b.role) || t.nodes.indexOf(a) - t.nodes.indexOf(b));
  for (const n of order) {
    if (node.has(n.hostname)) continue;
    const best = [...pve].sort(
      (a, b) =>
        (roleLoad.get(`${n.role}/${a}`) ?? 0) - (roleLoad.get(`${n.role}/${b}`) ?? 0) ||
        (load.get(a) ?? 0) - (load.get(b) ?? 0) ||
        pve.indexOf(a) - pve.indexOf(b),
    )[0]!;
    put(n.hostname, n.role, best);
  }
  const warnings: string[] = [];
  for (const role of SPREAD_ROLES) {
    const members = t.nodes.filter((n) => n.role === role);
    if (members.length < 2) continue;
    const byHost = new Map<string, string[]>();
    for (const m of members)
      byHost.set(node.get(m.hostname)!, [...(byHost.get(node.get(m.hostname)!) ?? []), m.hostname]);
    for (const [p, names] of byHost)
      if (names.length > 1)
        warnings.push(
          `${names.length} ${role} nodes share Proxmox node ${p} (${names.join(', ')})${
            pve.length < members.length
              ? `: ${pve.length} Proxmox node${pve.length === 1 ? '' : 's'} for ${members.length}`
              : ': set their pveNode apart'
          }; losing ${p} loses ${role === 'etcd' ? "etcd's quorum" : `${names.length} of ${members.length}`}`,
        );
  }
  return { node, warnings };
}

function rank(role: Role): number {
  const i = SPREAD_ROLES.indexOf(role);
  return i < 0 ? SPREAD_ROLES.length : i;
}
