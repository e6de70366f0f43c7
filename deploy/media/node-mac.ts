import { createHash } from 'node:crypto';

/**
 * A node's LAN MAC: locally administered, fixed per deployment and node. The
 * VM is created with it (qemu, Proxmox net0) and its seed finds the LAN NIC by it.
 */
export function macFor(deployment: string, node: string): string {
  const h = createHash('sha256').update(`kubedos mac ${deployment} ${node}`).digest();
  return ['52', '54', '00', ...[0, 1, 2].map((i) => h[i]!.toString(16).padStart(2, '0'))].join(':');
}
