import { parseIpv4Network } from '../../../shared/net/ipv4.ts';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';

export const VRRP_ROUTER_ID = 51;

/**
 * keepalived holding the API VIP by VRRP. Priorities come from the topology
 * (highest is the preferred holder); a node whose haproxy is down gives the
 * VIP up at once: its track script has no weight, so failing puts the
 * instance in FAULT, which resigns with a priority-0 advertisement and the
 * next holder takes over within a skew time. (A weight that only lowered
 * the priority left the backups waiting for the master-down timer, three
 * advertisement intervals: the API through the VIP was gone 5.3 s in the
 * lab, against 2 to 3 s now.)
 */
export function renderKeepalived(t: Topology, node: TopologyNode, lanInterface: string): string {
  const lbs = t.nodes.filter((n) => n.role === 'lb');
  const prio = node.priority ?? 100;
  const top = Math.max(...lbs.map((n) => n.priority ?? 100));
  const prefix = parseIpv4Network(t.lan.cidr).prefix;
  const peers = lbs.filter((n) => n.hostname !== node.hostname).map((n) => `        ${n.ip}`);
  return `# Written by the kubedos hub.
global_defs {
    router_id ${node.hostname}
    enable_script_security
    script_user root
}

vrrp_script chk_haproxy {
    script "/usr/bin/pidof haproxy"
    interval 1
    fall 2
    rise 2
}

vrrp_instance kube_api {
    state ${prio === top ? 'MASTER' : 'BACKUP'}
    interface ${lanInterface}
    virtual_router_id ${VRRP_ROUTER_ID}
    priority ${prio}
    advert_int 1
    unicast_src_ip ${node.ip}
    unicast_peer {
${peers.join('\n')}
    }
    virtual_ipaddress {
        ${t.apiVip}/${prefix}
    }
    track_script {
        chk_haproxy
    }
}
`;
}
