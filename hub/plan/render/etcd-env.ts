import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { wg3Address } from '../../pki/etcd-pki.ts';

/** Where etcd's files live on a member. */
export const ETCD_PKI_DIR = '/etc/etcd/pki';
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

export function etcdDataDir(t: Topology): string {
  return `/var/lib/etcd/${t.name}`;
}

export function etcdMembers(t: Topology) {
  return t.nodes.filter((n) => n.role === 'etcd');
}

export function etcdClientUrl(t: Topology, n: TopologyNode): string {
  return `https://${wg3Address(t, n)}:${ETCD_CLIENT_PORT}`;
}

export function etcdPeerUrl(t: Topology, n: TopologyNode): string {
  return `https://${wg3Address(t, n)}:${ETCD_PEER_PORT}`;
}

export function etcdClientUrls(t: Topology): string[] {
  return etcdMembers(t).map((n) => etcdClientUrl(t, n));
}

/**
 * /etc/default/etcd for one member: Debian's etcd.service reads it as its
 * EnvironmentFile. Static bootstrap from the topology, peers and clients on
 * wg3 with mutual TLS, and a data dir named after the deployment, so a
 * default instance's /var/lib/etcd/default can never be mistaken for ours.
 */
export function renderEtcdEnv(t: Topology, hostname: string): string {
  const me = etcdMembers(t).find((n) => n.hostname === hostname);
  if (!me) throw new Error(`${hostname} is not an etcd member`);
  const addr = wg3Address(t, me);
  const cluster = etcdMembers(t)
    .map((n) => `${n.hostname}=https://${wg3Address(t, n)}:${ETCD_PEER_PORT}`)
    .join(',');
  const vars: [string, string][] = [
    ['ETCD_NAME', me.hostname],
    ['ETCD_DATA_DIR', etcdDataDir(t)],
    ['ETCD_LISTEN_PEER_URLS', `https://${addr}:${ETCD_PEER_PORT}`],
    ['ETCD_LISTEN_CLIENT_URLS', `https://${addr}:${ETCD_CLIENT_PORT},https://127.0.0.1:${ETCD_CLIENT_PORT}`],
    ['ETCD_INITIAL_ADVERTISE_PEER_URLS', `https://${addr}:${ETCD_PEER_PORT}`],
    ['ETCD_ADVERTISE_CLIENT_URLS', `https://${addr}:${ETCD_CLIENT_PORT}`],
    ['ETCD_INITIAL_CLUSTER', cluster],
    ['ETCD_INITIAL_CLUSTER_STATE', 'new'],
    ['ETCD_INITIAL_CLUSTER_TOKEN', `kubedos-${t.name}`],
    ['ETCD_CLIENT_CERT_AUTH', 'true'],
    ['ETCD_TRUSTED_CA_FILE', `${ETCD_PKI_DIR}/ca.crt`],
    ['ETCD_CERT_FILE', `${ETCD_PKI_DIR}/server.crt`],
    ['ETCD_KEY_FILE', `${ETCD_PKI_DIR}/server.key`],
    ['ETCD_PEER_CLIENT_CERT_AUTH', 'true'],
    ['ETCD_PEER_TRUSTED_CA_FILE', `${ETCD_PKI_DIR}/ca.crt`],
    ['ETCD_PEER_CERT_FILE', `${ETCD_PKI_DIR}/peer.crt`],
    ['ETCD_PEER_KEY_FILE', `${ETCD_PKI_DIR}/peer.key`],
  ];
  return `# Written by the kubedos hub; changes here are overwritten.\n${vars.map(([k, v]) => `${k}="${v}"`).join('\n')}\n`;
}

/** Parses the env file back (the real-etcd test starts etcd from exactly this file). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)="?(.*?)"?$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
