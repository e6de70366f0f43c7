/**
 * containerd's config: the systemd cgroup driver (what kubelet uses by
 * default since 1.22), and the pause image kubeadm 1.35 expects.
 */
export function renderContainerdConfig(): string {
  return `# Written by the kubedos hub.
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10.1"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
`;
}
