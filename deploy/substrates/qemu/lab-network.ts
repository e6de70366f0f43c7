import { execa } from 'execa';

/**
 * The lab's private L2: one bridge with no host address and a tap per VM, so
 * the VMs reach each other and nothing else (never the host's own networks).
 */

export function tapName(tag: string, vmid: number): string {
  return `${tag}-${vmid}`.slice(0, 15);
}

async function linkExists(name: string): Promise<boolean> {
  return (await execa('ip', ['link', 'show', 'dev', name], { reject: false })).exitCode === 0;
}

export async function addBridge(name: string): Promise<void> {
  if (!(await linkExists(name))) await execa('ip', ['link', 'add', name, 'type', 'bridge']);
  await execa('ip', ['link', 'set', name, 'up']);
}

export async function addTap(name: string, bridge: string): Promise<void> {
  if (!(await linkExists(name))) await execa('ip', ['tuntap', 'add', 'dev', name, 'mode', 'tap']);
  await execa('ip', ['link', 'set', name, 'master', bridge, 'up']);
}

export async function removeLink(name: string): Promise<void> {
  if (await linkExists(name)) await execa('ip', ['link', 'del', name]);
}
