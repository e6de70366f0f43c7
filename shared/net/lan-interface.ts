import os from 'node:os';
import type { Facts__Output } from '../../proto/gen/kubedos/v1/Facts.ts';

/**
 * The node's LAN interface: the one that holds its LAN address, as the node
 * itself reported it (ens18 on a Proxmox VM, host0 in an nspawn container).
 * Undefined until the node has said, or when what it said is not an
 * interface name (INTERFACE_NAME).
 */
export function lanInterfaceOf(facts: Facts__Output | null | undefined, lanAddress: string): string | undefined {
  const name = reportedLanInterface(facts, lanAddress);
  return name !== undefined && INTERFACE_NAME.test(name) ? name : undefined;
}

/**
 * What a Linux interface name can be, as far as kubedos writes one into a
 * config or a command: at most 15 characters, letters, digits, `_ . -`.
 * Anything else a node reports (a space, a `$`, a quote, a newline) is
 * refused: a node's facts are data, and this one ends up in keepalived.conf
 * and the firewall.
 */
export const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** The name the node reported for the interface holding its LAN address, as it reported it (unchecked). */
export function reportedLanInterface(facts: Facts__Output | null | undefined, lanAddress: string): string | undefined {
  return facts?.interfaces.find((i) => i.addresses.includes(lanAddress))?.name;
}

/** One line saying why the hub refused the LAN interface name the node reported, or undefined when it did not. */
export function refusedLanInterface(facts: Facts__Output | null | undefined, lanAddress: string): string | undefined {
  const said = reportedLanInterface(facts, lanAddress);
  if (said === undefined || INTERFACE_NAME.test(said)) return undefined;
  return `its LAN interface name ${JSON.stringify(said).slice(0, 60)} is not one (at most 15 of A-Z a-z 0-9 _ . -)`;
}

/** This machine's interface that holds the address (the hub finds its own LAN NIC so). */
export function localInterfaceHolding(address: string): string | undefined {
  return Object.entries(os.networkInterfaces()).find(([, list]) => list?.some((a) => a.address === address))?.[0];
}
