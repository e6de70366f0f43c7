import { KUBERNETES_ROLES, type Topology } from './model.ts';
import { podSubnetProblem } from '../kubernetes/pod-subnets.ts';
import {
  hostNumber,
  isUsableHost,
  networkContains,
  networksOverlap,
  parseIpv4Network,
  type Ipv4Network,
} from '../net/ipv4.ts';
import { planeHostOf } from '../planes/addressing.ts';

/** One thing wrong with a topology, located by its field path ("nodes[3].ip"). */
export interface TopologyIssue {
  path: string;
  message: string;
}

const HA_CORE_ROLES = ['etcd', 'cp', 'lb'] as const;

/**
 * The rules a schema cannot express: uniqueness, addressing, overlaps and the
 * HA shape. Returns every issue found, not just the first, so an operator
 * fixes a file in one pass.
 */
export function validateTopology(t: Topology): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  const lan = network('lan.cidr', t.lan.cidr, add);
  const planes = t.planes.map((p, i) => network(`planes[${i}].cidr`, p.cidr, add));
  const pod = network('kubernetes.podCidr', t.kubernetes.podCidr, add);
  const svc = network('kubernetes.serviceCidr', t.kubernetes.serviceCidr, add);

  if (lan) {
    if (!networkContains(lan, t.lan.gateway)) add('lan.gateway', `${t.lan.gateway} is outside the LAN ${lan.cidr}`);
    if (!networkContains(lan, t.apiVip)) add('apiVip', `${t.apiVip} is outside the LAN ${lan.cidr}`);
  }

  const planeNames = new Set<string>();
  t.planes.forEach((p, i) => {
    if (planeNames.has(p.name)) add(`planes[${i}].name`, `plane ${p.name} is defined twice`);
    planeNames.add(p.name);
  });
  const ports = new Map<number, number>();
  t.planes.forEach((p, i) => {
    const other = ports.get(p.port);
    if (other !== undefined) add(`planes[${i}].port`, `UDP port ${p.port} is also used by planes[${other}]`);
    ports.set(p.port, i);
  });

  const named: Array<[string, Ipv4Network | undefined]> = [
    ['lan.cidr', lan],
    ...planes.map((n, i): [string, Ipv4Network | undefined] => [`planes[${i}].cidr`, n]),
    ['kubernetes.podCidr', pod],
    ['kubernetes.serviceCidr', svc],
  ];
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const [pa, a] = named[i]!;
      const [pb, b] = named[j]!;
      if (a && b && networksOverlap(a, b)) add(pb, `${b.cidr} overlaps ${pa} (${a.cidr})`);
    }
  }

  const seen = { vmid: new Map<number, number>(), hostname: new Map<string, number>(), ip: new Map<string, number>() };
  const planeHosts = new Map<number, number>();
  t.nodes.forEach((n, i) => {
    const at = `nodes[${i}]`;
    unique(seen.vmid, n.vmid, i, `${at}.vmid`, `VMID ${n.vmid}`, add);
    unique(seen.hostname, n.hostname, i, `${at}.hostname`, `hostname ${n.hostname}`, add);
    unique(seen.ip, n.ip, i, `${at}.ip`, `IP ${n.ip}`, add);
    if (lan && !networkContains(lan, n.ip)) add(`${at}.ip`, `${n.ip} is outside the LAN ${lan.cidr}`);
    if (n.ip === t.apiVip) add(`${at}.ip`, `${n.ip} is the API VIP`);
    if (n.ip === t.lan.gateway) add(`${at}.ip`, `${n.ip} is the LAN gateway`);
    if (lan && networkContains(lan, n.ip)) {
      const host = hostNumber(lan, n.ip);
      if (!isUsableHost(lan, host)) add(`${at}.ip`, `${n.ip} is the network or broadcast address of ${lan.cidr}`);
    }
    if (lan && networkContains(lan, n.ip)) {
      const host = planeHostOf(n, lan);
      const other = planeHosts.get(host);
      const field = n.planeHost === undefined ? `${at}.ip` : `${at}.planeHost`;
      if (other !== undefined) {
        add(
          field,
          `plane host number ${host} is also taken by nodes[${other}] (${t.nodes[other]!.hostname}); set planeHost`,
        );
      }
      planeHosts.set(host, i);
      planes.forEach((pn, pi) => {
        if (pn && !isUsableHost(pn, host)) {
          add(
            field,
            `plane host number ${host} does not fit plane ${t.planes[pi]!.name} (${pn.cidr}): the pool is exhausted`,
          );
        }
      });
    }
    if (n.role === 'master' && n.planeHost !== undefined && n.planeHost !== 1) {
      add(`${at}.planeHost`, 'the master holds the hub and always takes host number 1 on every plane');
    }
  });

  t.nodes.forEach((n, i) => {
    if (n.pveNode !== undefined && !t.proxmox.nodes.includes(n.pveNode))
      add(`nodes[${i}].pveNode`, `${n.pveNode} is not one of proxmox.nodes (${t.proxmox.nodes.join(', ')})`);
  });
  if (t.proxmox.fingerprint && t.proxmox.caFile)
    add('proxmox', 'give either fingerprint or caFile for the API certificate, not both');

  const count = (role: string) => t.nodes.filter((n) => n.role === role).length;
  if (count('master') !== 1) add('nodes', `exactly one master is required, found ${count('master')}`);
  if (!t.allowNonHaCore) {
    for (const role of HA_CORE_ROLES) {
      if (count(role) !== 3) {
        add('nodes', `the HA core needs 3 ${role} nodes, found ${count(role)} (set allowNonHaCore: true to permit)`);
      }
    }
    if (count('worker') < 3) {
      add(
        'nodes',
        `the HA core needs at least 3 worker nodes, found ${count('worker')} (set allowNonHaCore: true to permit)`,
      );
    }
  } else {
    for (const role of ['etcd', 'cp'] as const) {
      if (count(role) < 1) add('nodes', `at least one ${role} node is required`);
    }
  }
  if (!t.nodes.some((n) => KUBERNETES_ROLES.includes(n.role))) add('nodes', 'no Kubernetes node in the topology');
  if (pod && lan) {
    const tooSmall = podSubnetProblem(t);
    if (tooSmall) add('kubernetes.podCidr', tooSmall);
  }
  return issues;
}

function network(path: string, cidr: string, add: (path: string, message: string) => void): Ipv4Network | undefined {
  try {
    return parseIpv4Network(cidr);
  } catch (err) {
    add(path, (err as Error).message);
    return undefined;
  }
}

function unique<K>(
  seen: Map<K, number>,
  key: K,
  index: number,
  path: string,
  what: string,
  add: (path: string, message: string) => void,
): void {
  const first = seen.get(key);
  if (first !== undefined) add(path, `${what} is also used by nodes[${first}]`);
  else seen.set(key, index);
}
