import { stringify } from 'yaml';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { secretRef } from '../../../shared/tasks/redact.ts';
import { wg3Address } from '../../pki/etcd-pki.ts';
import { etcdClientUrls } from './etcd-env.ts';

export const KUBEADM_API = 'kubeadm.k8s.io/v1beta4';
export const API_PORT = 6443;
export const JOIN_TOKEN_SECRET = 'join-token';
/** A bootstrap token's life in the cluster, as init makes it and as the anchor makes a rotated one. */
export const JOIN_TOKEN_TTL = '24h0m0s';
export const JOIN_TOKEN_TTL_MS = 24 * 3_600_000;
export const CERTIFICATE_KEY_SECRET = 'certificate-key';
export const CRI_SOCKET = 'unix:///run/containerd/containerd.sock';

export const KUBE_PKI = '/etc/kubernetes/pki';

function nodeRegistration(t: Topology, node: TopologyNode, controlPlane: boolean) {
  return {
    name: node.hostname,
    criSocket: CRI_SOCKET,
    // Control planes run workloads only when tolerated: kubeadm's default taint, made explicit.
    taints: controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : [],
    // Kubelet, the API server and the CNI all talk over the backplane (docs/addressing.md).
    kubeletExtraArgs: [{ name: 'node-ip', value: wg3Address(t, node) }],
  };
}

/**
 * Where the API answers: the VIP the load balancers hold; a topology with no
 * load balancer (a non-HA lab) uses its first control plane's LAN address.
 */
export function apiHost(t: Topology): string {
  if (t.nodes.some((n) => n.role === 'lb')) return t.apiVip;
  const cp = t.nodes.find((n) => n.role === 'cp');
  return cp ? cp.ip : t.apiVip;
}

export function apiEndpoint(t: Topology): string {
  return `${apiHost(t)}:${API_PORT}`;
}

/**
 * kubeadm init's config (v1beta4, Kubernetes ≥ 1.31): InitConfiguration,
 * ClusterConfiguration and kube-proxy's configuration in one multi-document file. The join token and
 * the certificate key are placeholders the hub fills in at dispatch.
 */
export function renderKubeadmInit(t: Topology, node: TopologyNode): string {
  const lbs = t.nodes.filter((n) => n.role === 'lb');
  const cps = t.nodes.filter((n) => n.role === 'cp');
  const init = {
    apiVersion: KUBEADM_API,
    kind: 'InitConfiguration',
    bootstrapTokens: [
      {
        token: secretRef(JOIN_TOKEN_SECRET),
        description: 'kubedos join token',
        ttl: JOIN_TOKEN_TTL,
        usages: ['signing', 'authentication'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
    ],
    certificateKey: secretRef(CERTIFICATE_KEY_SECRET),
    localAPIEndpoint: { advertiseAddress: wg3Address(t, node), bindPort: API_PORT },
    nodeRegistration: nodeRegistration(t, node, true),
  };
  const cluster = {
    apiVersion: KUBEADM_API,
    kind: 'ClusterConfiguration',
    clusterName: t.name,
    kubernetesVersion: `v${t.kubernetes.version.replace(/^v/, '')}`,
    controlPlaneEndpoint: apiEndpoint(t),
    certificatesDir: KUBE_PKI,
    networking: {
      podSubnet: t.kubernetes.podCidr,
      serviceSubnet: t.kubernetes.serviceCidr,
      dnsDomain: 'cluster.local',
    },
    etcd: {
      external: {
        endpoints: etcdClientUrls(t),
        caFile: `${KUBE_PKI}/etcd/ca.crt`,
        certFile: `${KUBE_PKI}/apiserver-etcd-client.crt`,
        keyFile: `${KUBE_PKI}/apiserver-etcd-client.key`,
      },
    },
    apiServer: {
      certSANs: [
        t.apiVip,
        ...lbs.map((n) => n.ip),
        ...cps.map((n) => n.ip),
        ...cps.map((n) => wg3Address(t, n)),
        ...lbs.map((n) => n.hostname),
        ...cps.map((n) => n.hostname),
      ],
    },
  };
  // kube-proxy programs nftables (GA since 1.33): its image carries nft, not iptables (docs/nodes.md).
  const proxy = { apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'nftables' };
  return [init, cluster, proxy].map((d) => stringify(d)).join('---\n');
}

/** kubeadm join's config for a worker, or (controlPlane) for cp-2/cp-3 with the uploaded certificate key. */
export function renderKubeadmJoin(t: Topology, node: TopologyNode, caCertHash: string, controlPlane: boolean): string {
  const join: Record<string, unknown> = {
    apiVersion: KUBEADM_API,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: apiEndpoint(t),
        token: secretRef(JOIN_TOKEN_SECRET),
        caCertHashes: [caCertHash],
      },
    },
    nodeRegistration: nodeRegistration(t, node, controlPlane),
  };
  if (controlPlane) {
    join.controlPlane = {
      localAPIEndpoint: { advertiseAddress: wg3Address(t, node), bindPort: API_PORT },
      certificateKey: secretRef(CERTIFICATE_KEY_SECRET),
    };
  }
  return stringify(join);
}
