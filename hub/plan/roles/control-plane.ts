import { certificate, command, commandProbe, directory, file, httpProbe } from '../../../shared/tasks/builders.ts';
import type { TopologyNode } from '../../../shared/topology/model.ts';
import type { State } from '../../../proto/gen/kubedos/v1/State.ts';
import { secretIdRef, secretRef } from '../../../shared/tasks/redact.ts';
import { HUB_NODE, taskId } from '../model.ts';
import {
  apiEndpoint,
  CERTIFICATE_KEY_SECRET,
  ENCRYPTION_CONFIG_SECRETS,
  JOIN_TOKEN_SECRET,
  KUBEADM_INIT_SECRETS,
  kubeadmJoinSecrets,
  JOIN_TOKEN_TTL,
  KUBE_PKI,
  ENCRYPTION_CONFIG,
  ENCRYPTION_KEY_SECRET,
  KUBELET_CONTAINER_PATCH,
  renderEncryptionConfig,
  type KubeletContainer,
  renderKubeadmInit,
  renderKubeletContainerPatch,
  renderKubeadmJoin,
} from '../render/kubeadm.ts';
import type { RoleContext } from './context.ts';

export const INIT_CONFIG = '/etc/kubernetes/kubeadm-init.yaml';
/**
 * Written only after kubeadm init or join succeeded: the guard of both. A
 * file kubeadm makes on the way (admin.conf, kubelet.conf) would make a
 * failed attempt look converged forever.
 */
export const KUBEADM_MARKER = '/var/lib/kubedos/kubeadm-member';

/** A failed earlier attempt leaves kubeadm's files behind without the marker: reset before trying again. */
function resetFailedAttempt(leftover: string) {
  return command('reset-failed-attempt', ['kubeadm', 'reset', '--force'], {
    unless: ['test', '-e', KUBEADM_MARKER],
    onlyif: ['test', '-e', leftover],
    timeoutMs: 120_000,
  });
}
export const JOIN_CONFIG = '/etc/kubernetes/kubeadm-join.yaml';
const secretFile = { mode: 0o600, secret: true };
/** The cluster CA's private key, held by the hub (its PKI) and delivered to a control plane before kubeadm init. */
export const CLUSTER_CA_KEY_SECRET = 'pki-kubernetes-ca-key';

function kubeletContainer(ctx: RoleContext, node: TopologyNode): KubeletContainer | undefined {
  return ctx.options.kubeletContainers[node.hostname];
}

/**
 * The join token is made anew by the first convergence after it is 12 hours
 * old, half of the 24 hours kubeadm gives a bootstrap token: a join always
 * has a token with at least 12 hours to go, and no token outlives a day.
 */
export const JOIN_TOKEN_MAX_AGE_MS = 12 * 3_600_000;

/**
 * The hub-made secrets: the bootstrap token, the key kubeadm encrypts
 * uploaded certificates with, and the key Secrets are encrypted with in etcd
 * (never rotated by the hub: rotating it is a key added, every Secret
 * rewritten, the old key removed; not built yet).
 */
export function hubSecrets(ctx: RoleContext): { joinToken: string; certificateKey: string; encryptionKey: string } {
  return {
    encryptionKey: ctx.plan.add(HUB_NODE, ENCRYPTION_KEY_SECRET, 'control-plane', [], {
      hubAction: { kind: 'generate-secret', secret: ENCRYPTION_KEY_SECRET, format: 'base64-32' },
      retries: 0,
    }),
    joinToken: ctx.plan.add(HUB_NODE, JOIN_TOKEN_SECRET, 'control-plane', [], {
      hubAction: {
        kind: 'generate-secret',
        secret: JOIN_TOKEN_SECRET,
        format: 'bootstrap-token',
        maxAgeMs: JOIN_TOKEN_MAX_AGE_MS,
      },
      retries: 0,
    }),
    certificateKey: ctx.plan.add(HUB_NODE, CERTIFICATE_KEY_SECRET, 'control-plane', [], {
      hubAction: { kind: 'generate-secret', secret: CERTIFICATE_KEY_SECRET, format: 'hex32' },
      retries: 0,
    }),
  };
}

/**
 * What a control plane keeps in /etc/kubernetes/pki besides kubeadm's own:
 * the Secrets' encryption config, etcd's CA and the apiserver's etcd client
 * pair. They are states of the kubeadm task itself, after its reset: a
 * `kubeadm reset` empties /etc/kubernetes/pki, these included.
 */
function controlPlanePkiStates(ctx: RoleContext): State[] {
  const { caCertPem } = ctx.material.etcd;
  return [
    file('encryption-config', ENCRYPTION_CONFIG, renderEncryptionConfig(), {
      ...secretFile,
      secrets: ENCRYPTION_CONFIG_SECRETS,
    }),
    directory('pki-etcd', `${KUBE_PKI}/etcd`, { mode: 0o755 }),
    file('etcd-ca', `${KUBE_PKI}/etcd/ca.crt`, caCertPem),
    // Made on the control plane itself; only its certificate request goes to the hub.
    certificate('client-cert', {
      profile: 'apiserver-etcd-client',
      keyFile: `${KUBE_PKI}/apiserver-etcd-client.key`,
      certFile: `${KUBE_PKI}/apiserver-etcd-client.crt`,
      caPem: caCertPem,
    }),
  ];
}

/** The kubelet's per-node patch kubeadm applies (its `patches` directory): in a container only. */
function kubeletPatchStates(ctx: RoleContext, node: TopologyNode): State[] {
  const c = kubeletContainer(ctx, node);
  return c ? [file('kubelet-in-container', KUBELET_CONTAINER_PATCH, renderKubeletContainerPatch(c))] : [];
}

/** kubeadm's admin.conf, which kubeadm writes on every control plane (init and join). */
const ADMIN_KUBECONFIG = ['--kubeconfig', '/etc/kubernetes/admin.conf'];

/** kubectl as the cluster's admin, on a control plane. */
function adminKubectl(...args: string[]): string[] {
  return ['kubectl', ...ADMIN_KUBECONFIG, ...args];
}

/** kubeadm init on the first control plane of a new cluster, guarded by the member marker so a rerun does nothing. */
export function kubeadmInit(ctx: RoleContext, node: TopologyNode, deps: string[]): string {
  const ca = ctx.material.kubernetesCa;
  return ctx.plan.add(
    node.hostname,
    'kubeadm-init',
    'control-plane',
    [
      // First: a reset empties /etc/kubernetes/pki, so everything below is delivered after it.
      resetFailedAttempt('/etc/kubernetes/manifests/kube-apiserver.yaml'),
      file('cluster-ca-cert', `${KUBE_PKI}/ca.crt`, ca.certPem),
      file('cluster-ca-key', `${KUBE_PKI}/ca.key`, ctx.plan.secret(CLUSTER_CA_KEY_SECRET, ca.keyPem), {
        ...secretFile,
        secrets: [CLUSTER_CA_KEY_SECRET],
      }),
      ...controlPlanePkiStates(ctx),
      ...kubeletPatchStates(ctx, node),
      file('config', INIT_CONFIG, renderKubeadmInit(ctx.t, node, kubeletContainer(ctx, node)), {
        ...secretFile,
        secrets: KUBEADM_INIT_SECRETS,
      }),
      command('init', ['kubeadm', 'init', '--config', INIT_CONFIG, '--upload-certs'], {
        creates: KUBEADM_MARKER,
        timeoutMs: 10 * 60_000,
      }),
      file('member-marker', KUBEADM_MARKER, 'kubeadm init succeeded on this node\n'),
    ],
    { deps, timeoutMs: 12 * 60_000, retries: 1 },
  );
}

/**
 * The API answers through the VIP, seen from the control plane the others
 * join through, and takes pods: the controller manager has made the
 * `default` service account of the `default` namespace (until it has, the
 * API refuses a pod there: "serviceaccount default not found").
 */
export function apiReadyGate(ctx: RoleContext, anchor: TopologyNode, deps: string[]): string {
  return ctx.plan.add(
    anchor.hostname,
    'api-ready',
    'control-plane',
    [
      httpProbe('readyz', `https://${apiEndpoint(ctx.t)}/readyz`, {
        caPem: ctx.material.kubernetesCa.certPem,
        deadlineMs: 300_000,
        intervalMs: 2_000,
      }),
      // One GET (--raw skips kubectl's discovery of every API group first), with 30 s for each
      // attempt: on a slow node (a VM under TCG, the control plane starting) kubectl alone takes
      // seconds, and 5 s an attempt timed out every time.
      commandProbe(
        'default-service-account',
        adminKubectl('get', '--raw', '/api/v1/namespaces/default/serviceaccounts/default'),
        { deadlineMs: 180_000, intervalMs: 2_000, timeoutMs: 30_000 },
      ),
    ],
    { deps, timeoutMs: 500_000 },
  );
}

/** kubeadm join (control plane or worker), guarded by kubelet.conf so a rerun does nothing. */
export function kubeadmJoin(ctx: RoleContext, node: TopologyNode, controlPlane: boolean, deps: string[]): string {
  return ctx.plan.add(
    node.hostname,
    'kubeadm-join',
    controlPlane ? 'control-plane' : 'workers',
    [
      resetFailedAttempt('/etc/kubernetes/kubelet.conf'),
      ...(controlPlane ? controlPlanePkiStates(ctx) : []),
      ...kubeletPatchStates(ctx, node),
      file(
        'config',
        JOIN_CONFIG,
        renderKubeadmJoin(ctx.t, node, ctx.material.kubernetesCa.hash, controlPlane, kubeletContainer(ctx, node)),
        { ...secretFile, secrets: kubeadmJoinSecrets(controlPlane) },
      ),
      command('join', ['kubeadm', 'join', '--config', JOIN_CONFIG], {
        creates: KUBEADM_MARKER,
        timeoutMs: 10 * 60_000,
      }),
      file('member-marker', KUBEADM_MARKER, 'kubeadm join succeeded on this node\n'),
    ],
    {
      deps: [
        ...deps,
        taskId(HUB_NODE, JOIN_TOKEN_SECRET),
        ...(controlPlane ? [taskId(HUB_NODE, CERTIFICATE_KEY_SECRET), taskId(HUB_NODE, ENCRYPTION_KEY_SECRET)] : []),
      ],
      timeoutMs: 12 * 60_000,
      retries: 2,
    },
  );
}

/**
 * kubeadm deletes the certificates init uploaded after two hours. Before the
 * other control planes join, the anchor uploads them again (same certificate key)
 * unless every control plane is already a node, so a late join still works
 * and a converged cluster is left alone.
 */
export function uploadCerts(
  ctx: RoleContext,
  anchor: { node: TopologyNode; init: boolean },
  others: TopologyNode[],
  deps: string[],
): string {
  return ctx.plan.add(
    anchor.node.hostname,
    'upload-certs',
    'control-plane',
    [
      // A control plane that joined has no init config; upload-certs reads the cluster's from one.
      ...(anchor.init
        ? []
        : [
            file('config', INIT_CONFIG, renderKubeadmInit(ctx.t, anchor.node, kubeletContainer(ctx, anchor.node)), {
              ...secretFile,
              secrets: KUBEADM_INIT_SECRETS,
            }),
          ]),
      command('upload', ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs', '--config', INIT_CONFIG], {
        unless: adminKubectl('get', 'node', ...others.map((n) => n.hostname)),
        timeoutMs: 120_000,
      }),
    ],
    { deps: [...deps, taskId(HUB_NODE, CERTIFICATE_KEY_SECRET)] },
  );
}

/**
 * The current join token, in the cluster: kubeadm init made the first one;
 * after the hub rotates it, the anchor creates the new one (24 h, as init
 * does) unless its Secret is there. The old one runs out by itself.
 */
export function joinTokenInCluster(ctx: RoleContext, anchor: TopologyNode, deps: string[]): string {
  return ctx.plan.add(
    anchor.hostname,
    'join-token',
    'control-plane',
    [
      command(
        'create',
        [
          'kubeadm',
          'token',
          'create',
          secretRef(JOIN_TOKEN_SECRET),
          '--ttl',
          JOIN_TOKEN_TTL,
          '--description',
          'kubedos join token',
          '--groups',
          'system:bootstrappers:kubeadm:default-node-token',
          '--usages',
          'signing,authentication',
          ...ADMIN_KUBECONFIG,
        ],
        {
          unless: adminKubectl(
            '-n',
            'kube-system',
            'get',
            'secret',
            `bootstrap-token-${secretIdRef(JOIN_TOKEN_SECRET)}`,
          ),
          secretOutput: true,
          timeoutMs: 60_000,
          secrets: [JOIN_TOKEN_SECRET],
        },
      ),
    ],
    { deps: [...deps, taskId(HUB_NODE, JOIN_TOKEN_SECRET)] },
  );
}

/**
 * Before a node that is not a member joins a cluster that exists, the anchor
 * deletes the Node object its earlier self may have left: kubeadm join
 * refuses a name that is already a Ready node.
 */
export function forgetNode(ctx: RoleContext, anchor: TopologyNode, node: TopologyNode, apiReady: string): string {
  return ctx.plan.add(
    anchor.hostname,
    `forget-node-${node.hostname}`,
    node.role === 'cp' ? 'control-plane' : 'workers',
    [
      command('delete-node', adminKubectl('delete', 'node', node.hostname, '--ignore-not-found'), {
        timeoutMs: 60_000,
      }),
    ],
    { deps: [apiReady] },
  );
}
