import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';

/** /etc/hosts from the topology: every node by FQDN and short name, and the API VIP. */
export function renderHosts(t: Topology, self: TopologyNode): string {
  const lines = [
    '# Written by the kubedos hub.',
    `127.0.0.1\tlocalhost`,
    `127.0.1.1\t${self.hostname}.${t.lan.domain}\t${self.hostname}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...t.nodes.map((n) => `${n.ip}\t${n.hostname}.${t.lan.domain}\t${n.hostname}`),
    `${t.apiVip}\tkube-api.${t.lan.domain}\tkube-api`,
  ];
  return `${lines.join('\n')}\n`;
}
