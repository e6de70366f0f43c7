/**
 * The packages a Kubernetes node installs from the dark site beyond Debian:
 * upstream's three names (kubedos builds them, or a site gives upstream's),
 * and the site's container images, whose archives the node imports into
 * containerd before kubeadm runs (docs/nodes.md).
 */
export const KUBE_PACKAGES = ['kubelet', 'kubeadm', 'kubectl'] as const;
export const IMAGES_PACKAGE = 'kubedos-images';
/** Where kubedos-images puts one docker archive per image. */
export const IMAGES_DIR = '/usr/share/kubedos/images';
