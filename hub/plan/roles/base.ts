import { KUBE_PACKAGES } from '../../../shared/kubernetes/packages.ts';
import { command, file, kernelModule, packages, service, sysctl } from '../../../shared/tasks/builders.ts';
import { KUBERNETES_ROLES, type TopologyNode } from '../../../shared/topology/model.ts';
import { renderContainerdConfig } from '../render/containerd.ts';
import { renderHosts } from '../render/hosts.ts';
import { renderNodeExporterDefaults } from '../render/prometheus.ts';
import type { RoleContext } from './context.ts';
import { runsPods } from '../../../shared/kubernetes/pod-subnets.ts';

/** Kubernetes nodes: swap off (now and in fstab), overlay + br_netfilter, forwarding sysctls, hosts. */
export function preflight(ctx: RoleContext, node: TopologyNode): string {
  const kubelet = runsPods(node);
  const states = [
    file('hosts', '/etc/hosts', renderHosts(ctx.t, node)),
    ...(kubelet
      ? [
          command('swap-off', ['swapoff', '-a'], { onlyif: ['grep', '-q', '^/', '/proc/swaps'] }),
          command(
            'swap-out-of-fstab',
            ['sed', '-i', '-E', 's@^([^#].*[[:space:]]swap[[:space:]].*)$@# \\1@', '/etc/fstab'],
            {
              onlyif: ['grep', '-qE', '^[^#].*[[:space:]]swap[[:space:]]', '/etc/fstab'],
            },
          ),
        ]
      : []),
    kernelModule('overlay', 'overlay'),
    kernelModule('br_netfilter', 'br_netfilter'),
    sysctl('ip-forward', 'net.ipv4.ip_forward', '1'),
    sysctl('bridge-nf-iptables', 'net.bridge.bridge-nf-call-iptables', '1'),
    sysctl('bridge-nf-ip6tables', 'net.bridge.bridge-nf-call-ip6tables', '1'),
    ...(node.role === 'lb' ? [sysctl('nonlocal-bind', 'net.ipv4.ip_nonlocal_bind', '1')] : []),
  ];
  return ctx.plan.add(node.hostname, 'preflight', 'preflight', states);
}

/** containerd with SystemdCgroup = true, restarted when its config changes. */
export function containerd(ctx: RoleContext, node: TopologyNode, deps: string[]): string {
  return ctx.plan.add(
    node.hostname,
    'containerd',
    'runtime',
    [
      packages('packages', ['containerd']),
      file('config', '/etc/containerd/config.toml', renderContainerdConfig()),
      service('service', 'containerd', { restartOnChange: ['/etc/containerd/config.toml'] }),
    ],
    { deps },
  );
}

/** kubelet, kubeadm, kubectl at the topology's version, held so apt never moves them. */
export function kubePackages(ctx: RoleContext, node: TopologyNode, deps: string[]): string {
  const version = `${ctx.t.kubernetes.version.replace(/^v/, '')}${ctx.options.kubePackageRevision}`;
  return ctx.plan.add(
    node.hostname,
    'kube-packages',
    'runtime',
    [
      packages(
        'kube',
        KUBE_PACKAGES.map((name) => ({ name, version, hold: true })),
      ),
      packages('support', ['nfs-common', 'conntrack', 'socat', 'ebtables', 'ethtool']),
      command('kubelet-enabled', ['systemctl', 'enable', 'kubelet'], {
        unless: ['systemctl', 'is-enabled', '--quiet', 'kubelet'],
      }),
    ],
    { deps, timeoutMs: 15 * 60_000 },
  );
}

const NODE_EXPORTER_DROPIN = '/etc/systemd/system/prometheus-node-exporter.service.d/kubedos.conf';

/**
 * After a reboot the exporter starts before the minion has brought wg2 up,
 * and cannot bind its address until then: Debian's unit retries every
 * 100 ms and gives up after five, leaving it failed. It keeps trying, every
 * 2 s, until wg2 is there.
 */
const NODE_EXPORTER_RETRIES = `# Written by the kubedos hub: the wg2 address appears only once the minion has brought wg2 up.
[Unit]
StartLimitIntervalSec=0

[Service]
RestartSec=2s
`;

/** prometheus-node-exporter listening on the node's wg2 address. */
export function nodeExporter(ctx: RoleContext, node: TopologyNode): string {
  return ctx.plan.add(node.hostname, 'node-exporter', 'platform-services', [
    packages('packages', ['prometheus-node-exporter']),
    file('defaults', '/etc/default/prometheus-node-exporter', renderNodeExporterDefaults(ctx.t, node)),
    file('retries', NODE_EXPORTER_DROPIN, NODE_EXPORTER_RETRIES),
    service('service', 'prometheus-node-exporter', {
      restartOnChange: ['/etc/default/prometheus-node-exporter', NODE_EXPORTER_DROPIN],
    }),
  ]);
}

export function isKubernetesNode(node: TopologyNode): boolean {
  return KUBERNETES_ROLES.includes(node.role);
}
