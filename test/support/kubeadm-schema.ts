/**
 * A JSON Schema for the kubeadm v1beta4 documents the plan writes, taken
 * from the v1beta4 Go types (k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta4,
 * Kubernetes 1.31): field names, nesting, the list-of-{name,value} form of
 * extraArgs that v1beta4 introduced, token and key formats. Unknown fields
 * are refused, so a typo or a v1beta3 leftover fails here rather than in
 * `kubeadm init` on the first control plane. The sim tiers run this
 * structural check (they build nothing); test/kubernetes runs the built
 * kubeadm's own `kubeadm config validate` on the same rendered files.
 */
const duration = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' };
const strings = { type: 'array', items: { type: 'string' } };
const arg = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'value'],
  properties: { name: { type: 'string', minLength: 1 }, value: { type: 'string' } },
};
const args = { type: 'array', items: arg };
const hostPathMount = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'hostPath', 'mountPath'],
  properties: {
    name: { type: 'string' },
    hostPath: { type: 'string' },
    mountPath: { type: 'string' },
    readOnly: { type: 'boolean' },
    pathType: { type: 'string' },
  },
};
const envVar = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, value: { type: 'string' } },
};
const controlPlaneComponent = {
  type: 'object',
  additionalProperties: false,
  properties: {
    extraArgs: args,
    extraVolumes: { type: 'array', items: hostPathMount },
    extraEnvs: { type: 'array', items: envVar },
  },
};
const apiEndpoint = {
  type: 'object',
  additionalProperties: false,
  properties: {
    advertiseAddress: { type: 'string', format: 'ipv4' },
    bindPort: { type: 'integer', minimum: 1, maximum: 65535 },
  },
};
const taint = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'effect'],
  properties: {
    key: { type: 'string' },
    value: { type: 'string' },
    effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    timeAdded: { type: 'string' },
  },
};
const nodeRegistration = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    criSocket: { type: 'string', pattern: '^unix://' },
    taints: { type: 'array', items: taint },
    kubeletExtraArgs: args,
    ignorePreflightErrors: strings,
    imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
    imagePullSerial: { type: 'boolean' },
  },
};
const token = { type: 'string', pattern: '^[a-z0-9]{6}\\.[a-z0-9]{16}$' };
const certificateKey = { type: 'string', pattern: '^[a-f0-9]{64}$' };
const timeouts = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    [
      'controlPlaneComponentHealthCheck',
      'kubeletHealthCheck',
      'kubernetesAPICall',
      'etcdAPICall',
      'tlsBootstrap',
      'discovery',
      'upgradeManifests',
    ].map((k) => [k, duration]),
  ),
};
const patches = { type: 'object', additionalProperties: false, properties: { directory: { type: 'string' } } };
const header = (kind: string) => ({ apiVersion: { const: 'kubeadm.k8s.io/v1beta4' }, kind: { const: kind } });

export const INIT_CONFIGURATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    ...header('InitConfiguration'),
    bootstrapTokens: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['token'],
        properties: {
          token,
          description: { type: 'string' },
          ttl: duration,
          expires: { type: 'string' },
          usages: { type: 'array', items: { enum: ['signing', 'authentication'] } },
          groups: {
            type: 'array',
            items: { type: 'string', pattern: '^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$' },
          },
        },
      },
    },
    dryRun: { type: 'boolean' },
    nodeRegistration,
    localAPIEndpoint: apiEndpoint,
    certificateKey,
    skipPhases: strings,
    patches,
    timeouts,
  },
};

export const CLUSTER_CONFIGURATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'kubernetesVersion'],
  properties: {
    ...header('ClusterConfiguration'),
    etcd: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        local: {
          type: 'object',
          properties: { dataDir: { type: 'string' }, extraArgs: args, serverCertSANs: strings, peerCertSANs: strings },
        },
        external: {
          type: 'object',
          additionalProperties: false,
          required: ['endpoints'],
          properties: {
            endpoints: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^https?://' } },
            caFile: { type: 'string' },
            certFile: { type: 'string' },
            keyFile: { type: 'string' },
          },
        },
      },
    },
    networking: {
      type: 'object',
      additionalProperties: false,
      properties: { serviceSubnet: { type: 'string' }, podSubnet: { type: 'string' }, dnsDomain: { type: 'string' } },
    },
    kubernetesVersion: { type: 'string', pattern: '^v1\\.(3[1-9]|[4-9][0-9])\\.[0-9]+$' },
    controlPlaneEndpoint: { type: 'string', pattern: '^[^:]+:[0-9]+$' },
    apiServer: { ...controlPlaneComponent, properties: { ...controlPlaneComponent.properties, certSANs: strings } },
    controllerManager: controlPlaneComponent,
    scheduler: controlPlaneComponent,
    dns: {
      type: 'object',
      additionalProperties: false,
      properties: { disabled: { type: 'boolean' }, imageRepository: { type: 'string' }, imageTag: { type: 'string' } },
    },
    proxy: { type: 'object', additionalProperties: false, properties: { disabled: { type: 'boolean' } } },
    certificatesDir: { type: 'string' },
    imageRepository: { type: 'string' },
    featureGates: { type: 'object', additionalProperties: { type: 'boolean' } },
    clusterName: { type: 'string' },
    encryptionAlgorithm: { enum: ['ECDSA-P256', 'ECDSA-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096'] },
    certificateValidityPeriod: duration,
    caCertificateValidityPeriod: duration,
  },
};

export const JOIN_CONFIGURATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'discovery'],
  properties: {
    ...header('JoinConfiguration'),
    dryRun: { type: 'boolean' },
    nodeRegistration,
    caCertPath: { type: 'string' },
    discovery: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bootstrapToken: {
          type: 'object',
          additionalProperties: false,
          required: ['token', 'apiServerEndpoint'],
          properties: {
            token,
            apiServerEndpoint: { type: 'string', pattern: '^[^:]+:[0-9]+$' },
            caCertHashes: { type: 'array', items: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' } },
            unsafeSkipCAVerification: { type: 'boolean' },
          },
        },
        file: {
          type: 'object',
          additionalProperties: false,
          required: ['kubeConfigPath'],
          properties: { kubeConfigPath: { type: 'string' } },
        },
        tlsBootstrapToken: { type: 'string' },
      },
    },
    controlPlane: {
      type: 'object',
      additionalProperties: false,
      properties: { localAPIEndpoint: apiEndpoint, certificateKey },
    },
    skipPhases: strings,
    patches,
    timeouts,
  },
};

/** The part of kube-proxy's v1alpha1 configuration the plan sets (k8s.io/kube-proxy/config/v1alpha1). */
const KUBE_PROXY_CONFIGURATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { const: 'kubeproxy.config.k8s.io/v1alpha1' },
    kind: { const: 'KubeProxyConfiguration' },
    mode: { enum: ['', 'iptables', 'ipvs', 'nftables'] },
    conntrack: {
      type: 'object',
      additionalProperties: false,
      properties: { maxPerCore: { type: 'integer', minimum: 0 }, min: { type: 'integer', minimum: 0 } },
    },
  },
};

export const KUBEADM_SCHEMAS: Record<string, object> = {
  KubeProxyConfiguration: KUBE_PROXY_CONFIGURATION_SCHEMA,
  InitConfiguration: INIT_CONFIGURATION_SCHEMA,
  ClusterConfiguration: CLUSTER_CONFIGURATION_SCHEMA,
  JoinConfiguration: JOIN_CONFIGURATION_SCHEMA,
};
