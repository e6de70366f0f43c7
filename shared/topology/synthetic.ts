import { intToIpv4, ipv4ToInt } from '../net/ipv4.ts';
import type { Topology, TopologyNode } from './model.ts';

/**
 * A valid topology of any size: the HA core plus `workers` workers on a /18
 * LAN with /18 planes (room for 16,000 nodes). For scale tests and
 * benchmarks; real deployments write their topology by hand.
 */
export function syntheticTopology(workers: number, name = `synthetic-${workers}`): Topology {
  const lanBase = ipv4ToInt('10.64.0.0');
  let next = 10;
  let vmid = 1000;
  const node = (hostname: string, role: TopologyNode['role']): TopologyNode => ({
    vmid: vmid++,
    hostname,
    ip: intToIpv4(lanBase + next++),
    role,
    cores: 2,
    memoryMiB: 2048,
    diskGiB: 16,
  });
  const nodes: TopologyNode[] = [
    node('master', 'master'),
    node('prometheus', 'prometheus'),
    node('grafana', 'grafana'),
    node('storage', 'storage'),
    ...[1, 2, 3].map((i) => node(`etcd-${i}`, 'etcd')),
    ...[1, 2, 3].map((i) => node(`cp-${i}`, 'cp')),
    ...[1, 2, 3].map((i) => ({ ...node(`lb-${i}`, 'lb'), priority: 160 - i * 10 })),
    ...Array.from({ length: workers }, (_, i) => node(`w-${i + 1}`, 'worker')),
  ];
  if (next > 16_380) throw new Error(`${workers} workers do not fit a /18`);
  return {
    name,
    lan: { cidr: '10.64.0.0/18', gateway: '10.64.0.1', dns: ['10.64.0.1'], domain: 'kubedos.lan' },
    apiVip: '10.64.0.5',
    hub: { port: 7443 },
    planes: [
      { name: 'wg1', cidr: '10.128.0.0/18', port: 51821, purpose: 'management' },
      { name: 'wg2', cidr: '10.128.64.0/18', port: 51822, purpose: 'metrics' },
      { name: 'wg3', cidr: '10.128.128.0/18', port: 51823, purpose: 'kubernetes backplane' },
    ],
    proxmox: { nodes: ['pve1'], storage: 'local-lvm', bridge: 'vmbr0' },
    // A /24 of pods per plane host: a /18 LAN's hosts need a /10.
    kubernetes: { version: '1.31.4', podCidr: '10.0.0.0/10', serviceCidr: '10.96.0.0/12' },
    allowNonHaCore: workers < 3,
    nodes,
  };
}
