import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';
import type { Topology, TopologyNode } from '../../shared/topology/model.ts';
import fs from 'node:fs';
import { CertificateAuthority, caCertHash, type CertPair } from '../../shared/pki/certificate-authority.ts';

/**
 * What the plan needs from the etcd PKI: the CA certificate. Member and
 * client keys are made on the nodes; the hub signs their requests
 * (certificate-signer.ts) and keeps only the CA key.
 */
export interface EtcdPki {
  caCertPem: string;
}

/** The Kubernetes cluster CA: made by the hub so joins can pin it (caCertHashes); cp-1 gets it before kubeadm init. */
export interface KubernetesCa extends CertPair {
  hash: string;
}

export async function ensureKubernetesCa(dir: string, t: Topology): Promise<KubernetesCa> {
  const ca = await CertificateAuthority.ensure(dir, 'kubernetes-ca', t.name);
  const keyPem = fs.readFileSync(CertificateAuthority.files(dir, 'kubernetes-ca').key, 'utf8');
  return { certPem: ca.certPem, keyPem, hash: caCertHash(ca.certPem) };
}

export function wg3Address(t: Topology, node: TopologyNode): string {
  const a = intendedPlaneAddresses(t, node).find((p) => p.plane === 'wg3');
  if (!a) throw new Error('topology has no wg3 plane');
  return a.address;
}

/** A member's names: hostname (short and FQDN), LAN and wg3 addresses, and localhost. */
export function memberSans(t: Topology, node: TopologyNode): { dns: string[]; ips: string[] } {
  return {
    dns: [node.hostname, `${node.hostname}.${t.lan.domain}`, 'localhost'],
    ips: [node.ip, wg3Address(t, node), '127.0.0.1'],
  };
}

/** Makes (or loads) the etcd CA in dir. */
export async function ensureEtcdPki(dir: string, t: Topology): Promise<EtcdPki> {
  const ca = await CertificateAuthority.ensure(dir, 'etcd-ca', t.name);
  return { caCertPem: ca.certPem };
}
