import { createHash } from 'node:crypto';
import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import { macFor } from '../../media/node-mac.ts';

/**
 * The Proxmox VM a topology node becomes: q35, OVMF with Secure Boot keys
 * pre-enrolled, a TPM 2.0 state disk, the guest agent, one virtio-scsi disk,
 * a virtio NIC with the node's MAC (its seed finds the LAN NIC by it), the
 * platform ISO and the node's seed as CD-ROMs, a serial console, and the
 * node's SMBIOS UUID. Pure: the dry run, the drift check and the create all
 * read it.
 */
export type VmConfig = Record<string, string | number>;

export interface VmMedia {
  /** Volume ids (`local:iso/NAME`). */
  iso: string;
  seed: string;
}

export const KUBEDOS_TAG = 'kubedos';
export const deploymentTag = (deployment: string) => `kubedos-${deployment}`;

/** The first line of every kubedos VM's description: whose it is. Nothing else is ever touched. */
export function ownerLine(deployment: string, node: string): string {
  return `kubedos deployment=${deployment} node=${node}`;
}

export function ownerOf(description: string | undefined): { deployment: string; node: string } | undefined {
  const m = /^kubedos deployment=(\S+) node=(\S+)\s*$/m.exec(description ?? '');
  return m ? { deployment: m[1]!, node: m[2]! } : undefined;
}

/** The node's SMBIOS UUID: the topology's, or one fixed per deployment and node. */
export function smbiosUuidFor(t: Topology, node: TopologyNode): string {
  if (node.smbiosUuid) return node.smbiosUuid.toLowerCase();
  const h = createHash('sha256').update(`kubedos smbios ${t.name} ${node.hostname}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function desiredConfig(t: Topology, node: TopologyNode, media: VmMedia): VmConfig {
  const storage = t.proxmox.storage;
  const vlan = t.proxmox.vlan ? `,tag=${t.proxmox.vlan}` : '';
  return {
    name: node.hostname,
    description: `${ownerLine(t.name, node.hostname)}\nrole ${node.role}, made by kubedos deploy: change the topology and run it again, do not edit by hand.\n`,
    tags: `${KUBEDOS_TAG};${deploymentTag(t.name)}`,
    ostype: 'l26',
    machine: 'q35',
    bios: 'ovmf',
    efidisk0: `${storage}:1,efitype=4m,pre-enrolled-keys=1`,
    tpmstate0: `${storage}:1,version=v2.0`,
    agent: 'enabled=1',
    scsihw: 'virtio-scsi-single',
    scsi0: `${storage}:${node.diskGiB}`,
    net0: `virtio=${macFor(t.name, node.hostname)},bridge=${t.proxmox.bridge}${vlan}`,
    ide2: `${media.iso},media=cdrom`,
    ide3: `${media.seed},media=cdrom`,
    boot: 'order=scsi0;ide2',
    serial0: 'socket',
    smbios1: `uuid=${smbiosUuidFor(t, node)}`,
    cores: node.cores,
    memory: String(node.memoryMiB),
  };
}

/** A property string (`local-lvm:vm-1-disk-0,efitype=4m,size=4M`) as keys; the leading value under `''`. */
export function parseProperty(value: string | number | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined) return out;
  for (const part of String(value).split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) out.set('', part);
    else out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

export interface Drift {
  key: string;
  want: string;
  have: string;
  /** Only a new VM can fix it (firmware, disks, identity): `kubedos redeploy NODE`. */
  rebuild: boolean;
}

const storageOf = (volume: string | undefined) => (volume ?? '').split(':')[0] ?? '';
const gib = (size: string | undefined): number | undefined => {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(size ?? '');
  if (!m) return undefined;
  const scale = { '': 1 / 2 ** 30, K: 1 / 2 ** 20, M: 1 / 1024, G: 1, T: 1024 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * scale;
};

/**
 * What differs between the VM kubedos would make and the one Proxmox has,
 * by parsed property, never by string: Proxmox adds `size=`, its own MACs,
 * `vmgenid`, `meta`, and on PVE 9 `ms-cert=2023k`, none of which is drift.
 * The media (ide2, ide3) and the boot order are not compared: they are
 * detached once a node has enrolled.
 */
export function compareConfig(want: VmConfig, have: Record<string, unknown>): Drift[] {
  const drift: Drift[] = [];
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const add = (key: string, w: string, h: string, rebuild: boolean) => drift.push({ key, want: w, have: h, rebuild });
  const plain = (key: string, rebuild: boolean) => {
    if (str(want[key]) !== str(have[key])) add(key, str(want[key]), str(have[key]), rebuild);
  };
  plain('name', false);
  plain('ostype', false);
  plain('bios', true);
  plain('scsihw', true);
  plain('serial0', false);
  plain('cores', false);
  const machine = parseProperty(str(have.machine)).get('type') ?? parseProperty(str(have.machine)).get('') ?? '';
  if (!/^(pc-)?q35/.test(machine)) add('machine', str(want.machine), str(have.machine), true);
  const mem = (v: unknown) => parseProperty(str(v)).get('current') ?? parseProperty(str(v)).get('') ?? '';
  if (mem(want.memory) !== mem(have.memory)) add('memory', str(want.memory), str(have.memory), false);
  const agentOn = (v: unknown) => (parseProperty(str(v)).get('enabled') ?? parseProperty(str(v)).get('')) === '1';
  if (!agentOn(have.agent)) add('agent', str(want.agent), str(have.agent), false);

  const efiW = parseProperty(want.efidisk0);
  const efiH = parseProperty(str(have.efidisk0));
  if (
    storageOf(efiH.get('')) !== storageOf(efiW.get('')) ||
    efiH.get('efitype') !== '4m' ||
    efiH.get('pre-enrolled-keys') !== '1'
  )
    add('efidisk0', str(want.efidisk0), str(have.efidisk0), true);
  const tpmW = parseProperty(want.tpmstate0);
  const tpmH = parseProperty(str(have.tpmstate0));
  if (storageOf(tpmH.get('')) !== storageOf(tpmW.get('')) || tpmH.get('version') !== 'v2.0')
    add('tpmstate0', str(want.tpmstate0), str(have.tpmstate0), true);
  const diskW = parseProperty(want.scsi0);
  const diskH = parseProperty(str(have.scsi0));
  const wantGiB = Number((diskW.get('') ?? '').split(':')[1]);
  if (storageOf(diskH.get('')) !== storageOf(diskW.get('')) || gib(diskH.get('size')) !== wantGiB)
    add('scsi0', str(want.scsi0), str(have.scsi0), true);

  const netW = parseProperty(want.net0);
  const netH = parseProperty(str(have.net0));
  if ((netH.get('virtio') ?? '').toLowerCase() !== (netW.get('virtio') ?? '').toLowerCase())
    add('net0', str(want.net0), str(have.net0), true);
  else if (netH.get('bridge') !== netW.get('bridge') || (netH.get('tag') ?? '') !== (netW.get('tag') ?? ''))
    add('net0', str(want.net0), str(have.net0), false);
  const uuid = (v: unknown) => (parseProperty(str(v)).get('uuid') ?? '').toLowerCase();
  if (uuid(have.smbios1) !== uuid(want.smbios1)) add('smbios1', str(want.smbios1), str(have.smbios1), true);
  const tags = (v: unknown) =>
    new Set(
      str(v)
        .split(/[;, ]+/)
        .filter(Boolean),
    );
  const haveTags = tags(have.tags);
  if ([...tags(want.tags)].some((tag) => !haveTags.has(tag))) add('tags', str(want.tags), str(have.tags), false);
  if (str(have.description).trim() !== str(want.description).trim())
    add('description', str(want.description).trim(), str(have.description).trim(), false);
  return drift;
}

/** The config update that fixes in-place drift (the rebuild kind is left to `redeploy`). */
export function updateFor(want: VmConfig, drift: Drift[]): VmConfig {
  const out: VmConfig = {};
  for (const d of drift) if (!d.rebuild) out[d.key] = want[d.key]!;
  return out;
}

/** The `qm` line an operator would type for the same change (the dry run prints it). */
export function qmLine(verb: 'create' | 'set', vmid: number, config: VmConfig): string {
  const quote = (v: string) => (/^[A-Za-z0-9_.:,=/@+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  const args = Object.entries(config)
    .filter(([k]) => k !== 'description')
    .map(([k, v]) => `--${k} ${quote(String(v))}`);
  if (config.description !== undefined) args.push(`--description ${quote(String(config.description).trim())}`);
  return `qm ${verb} ${vmid} ${args.join(' ')}`;
}
