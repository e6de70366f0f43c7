import { stringify } from 'yaml';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { secretRef } from '../../../shared/tasks/redact.ts';
import { apiHost } from '../../../shared/kubernetes/api-host.ts';
import { wg3Address } from '../../pki/etcd-pki.ts';
import { etcdClientUrls } from './etcd-env.ts';

export const KUBEADM_API = 'kubeadm.k8s.io/v1beta4';
export const API_PORT = 6443;
export const JOIN_TOKEN_SECRET = 'join-token';
/** A bootstrap token's life in the cluster, as init makes it and as the anchor makes a rotated one. */
export const JOIN_TOKEN_TTL = '24h0m0s';
export const JOIN_TOKEN_TTL_MS = 24 * 3_600_000;
export const CERTIFICATE_KEY_SECRET = 'certificate-key';
/** The key the apiservers encrypt Secrets in etcd with (32 random bytes, base64), made by the hub. */
export const ENCRYPTION_KEY_SECRET = 'etcd-encryption-key';
/** In the pki folder, which kubeadm already mounts into the apiserver's pod (read-only). */
export const ENCRYPTION_CONFIG = '/etc/kubernetes/pki/encryption-config.yaml';
/** The hub's secrets kubeadm's init config refers to (its states declare them: State.secret_refs). */
export const KUBEADM_INIT_SECRETS = [JOIN_TOKEN_SECRET, CERTIFICATE_KEY_SECRET] as const;
/** The hub's secrets a join config refers to: the token; a control plane's also the certificate key. */
export function kubeadmJoinSecrets(controlPlane: boolean): string[] {
  return controlPlane ? [JOIN_TOKEN_SECRET, CERTIFICATE_KEY_SECRET] : [JOIN_TOKEN_SECRET];
}
/** The hub's secret the EncryptionConfiguration refers to. */
export const ENCRYPTION_CONFIG_SECRETS = [ENCRYPTION_KEY_SECRET] as const;
export const CRI_SOCKET = 'unix:///run/containerd/containerd.sock';

export const KUBE_PKI = '/etc/kubernetes/pki';

/** kubeadm's per-node patches: the kubelet's settings for a node that is a container, written only there. */
export const KUBEADM_PATCHES = '/etc/kubernetes/patches';
export const KUBELET_CONTAINER_PATCH = `${KUBEADM_PATCHES}/kubeletconfiguration+merge.yaml`;

/** A node whose kubelet runs in a container (facts.container), with the cgroup version it sees there. */
export interface KubeletContainer {
  cgroup: 'v1' | 'v2';
}

/**
 * The kubelet in a container (the nspawn lab; docs/nodes.md), as kind
 * configures its nodes: its disk is the host's, shared by every node, so
 * disk-based eviction and image garbage collection are off (they would
 * evict pods and delete the darksite's images for the host's usage). On a
 * cgroup v1 host, Kubernetes 1.35's kubelet also needs failCgroupV1: false.
 * A VM or a Proxmox node is no container and gets no patch at all.
 */
export function renderKubeletContainerPatch(c: KubeletContainer): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    evictionHard: { 'nodefs.available': '0%', 'nodefs.inodesFree': '0%', 'imagefs.available': '0%' },
    imageGCHighThresholdPercent: 100,
    ...(c.cgroup === 'v1' ? { failCgroupV1: false } : {}),
  });
}

/** In a container, kubeadm reads the kubelet's patch from its patches directory. */
function containerPatches(c: KubeletContainer | undefined): { patches?: { directory: string } } {
  return c ? { patches: { directory: KUBEADM_PATCHES } } : {};
}

function nodeRegistration(t: Topology, node: TopologyNode, controlPlane: boolean, c: KubeletContainer | undefined) {
  return {
    name: node.hostname,
    criSocket: CRI_SOCKET,
    // Control planes run workloads only when tolerated: kubeadm's default taint, made explicit.
    taints: controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : [],
    // Kubelet, the API server and the CNI all talk over the backplane (docs/addressing.md).
    kubeletExtraArgs: [{ name: 'node-ip', value: wg3Address(t, node) }],
    // kubeadm's one check that refuses cgroup v1; only a container on a v1 host skips it.
    ...(c?.cgroup === 'v1' ? { ignorePreflightErrors: ['SystemVerification'] } : {}),
  };
}

export function apiEndpoint(t: Topology): string {
  return `${apiHost(t)}:${API_PORT}`;
}

/**
 * kubeadm init's config (v1beta4, Kubernetes ≥ 1.31): InitConfiguration,
 * ClusterConfiguration and kube-proxy's configuration in one multi-document file. The join token and
 * the certificate key are placeholders the hub fills in at dispatch.
 */
export function renderKubeadmInit(t: Topology, node: TopologyNode, container?: KubeletContainer): string {
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
    nodeRegistration: nodeRegistration(t, node, true, container),
    ...containerPatches(container),
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
    // Node podCIDRs are not the controller-manager's to hand out: each node's is fixed by the topology
    // (render/pod-network.ts), and a different one in the Node object would only mislead.
    controllerManager: { extraArgs: [{ name: 'allocate-node-cidrs', value: 'false' }] },
    apiServer: {
      // Secrets are encrypted at rest in etcd (renderEncryptionConfig), as Talos and RKE2 do by default.
      extraArgs: [{ name: 'encryption-provider-config', value: ENCRYPTION_CONFIG }],
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
  const proxy = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    // A cluster of containers (the lab, as kind does): nf_conntrack_max is the host's, not writable from a
    // container, so kube-proxy leaves it as it is instead of failing to raise it. Cluster-wide, so decided by
    // the first control plane.
    ...(container ? { conntrack: { maxPerCore: 0 } } : {}),
  };
  return [init, cluster, proxy].map((d) => stringify(d)).join('---\n');
}

/**
 * The apiservers' EncryptionConfiguration: Secrets are written to etcd
 * sealed with secretbox (XSalsa20-Poly1305) under the hub's key; `identity`
 * last, so what was stored before encryption is still read. The key is a
 * placeholder the hub fills in at dispatch; the file is 0600 on the node.
 */
export function renderEncryptionConfig(): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: ['secrets'],
        providers: [
          { secretbox: { keys: [{ name: 'key1', secret: secretRef(ENCRYPTION_KEY_SECRET) }] } },
          { identity: {} },
        ],
      },
    ],
  });
}

/** kubeadm join's config for a worker, or (controlPlane) for cp-2/cp-3 with the uploaded certificate key. */
export function renderKubeadmJoin(
  t: Topology,
  node: TopologyNode,
  caCertHash: string,
  controlPlane: boolean,
  container?: KubeletContainer,
): string {
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
    nodeRegistration: nodeRegistration(t, node, controlPlane, container),
    ...containerPatches(container),
  };
  if (controlPlane) {
    join.controlPlane = {
      localAPIEndpoint: { advertiseAddress: wg3Address(t, node), bindPort: API_PORT },
      certificateKey: secretRef(CERTIFICATE_KEY_SECRET),
    };
  }
  return stringify(join);
}
