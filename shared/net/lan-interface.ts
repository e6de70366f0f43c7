import os from 'node:os';
import type { Facts__Output } from '../../proto/gen/kubedos/v1/Facts.ts';

/**
 * The node's LAN interface: the one that holds its LAN address, as the node
 * itself reported it (ens18 on a Proxmox VM, host0 in an nspawn container).
 * Undefined until the node has said.
 */
export function lanInterfaceOf(facts: Facts__Output | null | undefined, lanAddress: string): string | undefined {
  return facts?.interfaces.find((i) => i.addresses.includes(lanAddress))?.name;
}

/** This machine's interface that holds the address (the hub finds its own LAN NIC so). */
export function localInterfaceHolding(address: string): string | undefined {
  return Object.entries(os.networkInterfaces()).find(([, list]) => list?.some((a) => a.address === address))?.[0];
}
