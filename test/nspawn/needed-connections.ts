/**
 * Every connection the platform needs, derived from the topology and the
 * addressing rule in docs/addressing.md, independently of the firewall
 * renderer: the oracle the connection-matrix test holds the applied
 * nftables rules to. A probe (from, address, port) is expected to be
 * admitted exactly when a connection here covers it.
 */
import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import type { Role, Topology, TopologyNode } from '../../shared/topology/model.ts';

export interface Connection {
  /** Source node, or '*' for anyone on the LAN. */
  from: string;
  to: string;
  address: string;
  port: number;
  why: string;
}

export const PROBED_PORTS = [22, 2049, 2379, 2380, 3000, 6443, 7443, 9090, 9100, 9464, 10250] as const;

export function addressesOf(t: Topology, n: TopologyNode): { lan: string; wg1: string; wg2: string; wg3: string } {
  const p = Object.fromEntries(intendedPlaneAddresses(t, n).map((a) => [a.plane, a.address]));
  return { lan: n.ip, wg1: p.wg1!, wg2: p.wg2!, wg3: p.wg3! };
}

export function neededConnections(t: Topology): Connection[] {
  const all = t.nodes;
  const of = (...roles: Role[]) => all.filter((n) => roles.includes(n.role));
  const master = of('master')[0]!;
  const kube = of('etcd', 'cp', 'worker', 'lb');
  const out: Connection[] = [];
  const add = (
    from: TopologyNode[] | '*',
    to: TopologyNode[],
    plane: 'lan' | 'wg1' | 'wg2' | 'wg3',
    port: number,
    why: string,
  ) => {
    for (const dst of to) {
      const address = addressesOf(t, dst)[plane];
      if (from === '*') out.push({ from: '*', to: dst.hostname, address, port, why });
      else
        for (const src of from) if (src !== dst) out.push({ from: src.hostname, to: dst.hostname, address, port, why });
    }
  };
  const members = all.filter((n) => n.role !== 'master');
  add([master], members, 'wg1', 22, 'SSH from the management plane');
  add([master, ...of('prometheus')], all, 'wg2', 9100, 'node exporter scraped over wg2');
  add([master, ...of('grafana')], of('prometheus'), 'wg2', 9090, 'prometheus queried over wg2');
  add(of('prometheus'), [master], 'wg2', 9464, "the hub's metrics scraped over wg2");
  add(of('etcd', 'cp'), of('etcd'), 'wg3', 2379, 'etcd clients over wg3');
  add(of('etcd', 'cp'), of('etcd'), 'wg3', 2380, 'etcd peers over wg3');
  add(kube, of('cp'), 'wg3', 6443, 'haproxy to the API servers over wg3');
  add('*', of('lb'), 'lan', 6443, 'the API on the load balancers');
  add(kube, kube, 'wg3', 10250, 'kubelet over wg3');
  add(of('cp', 'worker'), of('storage'), 'lan', 2049, 'NFS on the LAN from the nodes that mount');
  add('*', of('grafana'), 'lan', 3000, 'grafana on the LAN');
  add('*', [master], 'lan', t.hub.port, 'enrollment on the LAN');
  add('*', [master], 'lan', 22, 'SSH to the master on the LAN: where an operator comes in');
  add(members, [master], 'wg1', t.hub.port, 'sessions over wg1');
  return out;
}

export function isNeeded(needed: readonly Connection[], from: string, address: string, port: number): boolean {
  return needed.some((c) => c.address === address && c.port === port && (c.from === '*' || c.from === from));
}

/** Listens on every probed port nothing else holds (0.0.0.0), so an admitted probe always meets a socket. */
export const LISTENER_SCRIPT = `
const net = require('node:net');
for (const port of JSON.parse(process.argv[1])) {
  const s = net.createServer((c) => c.destroy());
  s.on('error', () => {});
  s.listen({ port, host: '0.0.0.0', exclusive: true });
}
setTimeout(() => process.exit(0), 10 * 60_000);
process.stdout.write('listening\\n');
`;

/**
 * Tries every [address, port] at once from inside a node's network
 * namespace: "open" (connected), "refused" (a RST: the firewall let it
 * through to a closed port), "timeout" (dropped), or the socket error.
 */
export const PROBER_SCRIPT = `
const net = require('node:net');
const probes = JSON.parse(process.argv[1]);
Promise.all(probes.map(([host, port]) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const done = (v) => { s.destroy(); resolve(v); };
  s.setTimeout(2500, () => done('timeout'));
  s.once('connect', () => done('open'));
  s.once('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : e.code));
}))).then((r) => process.stdout.write(JSON.stringify(r)));
`;
