import { CNI_BIN_DIR } from './pod-network.ts';

/**
 * containerd's config: the systemd cgroup driver (what kubelet uses by
 * default since 1.22), the pause image kubeadm 1.35 expects, and Debian's
 * CNI plugins (render/pod-network.ts).
 *
 * restrict_oom_score_adj: a container's OOM score is never set below
 * containerd's own. Debian's unit gives containerd -999, below anything the
 * kubelet asks for (-998 for a pod sandbox), so on a VM this changes nothing;
 * where containerd could not lower its own score (a lab container on a host
 * without CAP_SYS_RESOURCE, docs/nodes.md) pods start instead of failing in
 * runc with "failed to update /proc/self/oom_score_adj".
 */
export function renderContainerdConfig(): string {
  return `# Written by the kubedos hub.
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10.1"
  restrict_oom_score_adj = true

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "${CNI_BIN_DIR}"
  conf_dir = "/etc/cni/net.d"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
`;
}
