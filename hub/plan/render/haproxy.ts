import type { Topology } from '../../../shared/topology/model.ts';
import { wg3Address } from '../../pki/etcd-pki.ts';
import { API_PORT } from './kubeadm.ts';

/**
 * haproxy in TCP mode in front of the three API servers, each health-checked
 * on /readyz. Clients reach it on the VIP (LAN); it reaches the API servers
 * on their wg3 addresses, where they listen (docs/addressing.md).
 */
export function renderHaproxy(t: Topology): string {
  const servers = t.nodes
    .filter((n) => n.role === 'cp')
    .map(
      (n) =>
        `    server ${n.hostname} ${wg3Address(t, n)}:${API_PORT} check check-ssl verify none inter 1s fall 2 rise 2`,
    );
  return `# Written by the kubedos hub.
global
    log /dev/log local0
    # No fixed maxconn: haproxy derives it from the file limit systemd gives it, so it never asks for more.
    daemon

defaults
    mode tcp
    log global
    option tcplog
    # An API server that went away between two health checks: a connection it does not take is tried
    # again, the last time on another server, so the client never sees it (the VIP survives a lost cp).
    retries 2
    option redispatch
    timeout connect 2s
    timeout client 1h
    timeout server 1h

frontend kube-apiserver
    bind *:${API_PORT}
    default_backend kube-apiserver

backend kube-apiserver
    option httpchk
    http-check send meth GET uri /readyz
    http-check expect status 200
    balance roundrobin
${servers.join('\n')}
`;
}
