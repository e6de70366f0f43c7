/**
 * A node's seed: the few files that make the one platform image into this
 * node (hostname, LAN network, resolver, its own enrollment credential, the
 * minion's config; on the master alone, the hub's key, topology and
 * inventory). The nspawn substrate writes them into the container's own
 * layer; the installer applies them from the seed medium.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../shared/errors.ts';
import type { DeploymentSecrets } from './deployment-secrets.ts';
import type { MinionConfigFile } from '../shared/identity/files.ts';
import { parseIpv4Network } from '../shared/net/ipv4.ts';
import type { Topology, TopologyNode } from '../shared/topology/model.ts';
import { NODE_PATHS } from './node-layout.ts';
import { hubTlsCaFiles } from '../shared/pki/hub-tls.ts';

export interface SeedFile {
  path: string;
  mode: number;
  content: string | Buffer;
  /** Every folder from this one down to the file's own is made 0700 (others 0755). */
  privateFrom?: string;
}

export interface SeedInput {
  topology: Topology;
  /** The topology file as given to the deployer (the hub on the master reads this copy). */
  topologyFile: string;
  node: TopologyNode;
  secrets: Pick<
    DeploymentSecrets,
    'hubCaPem' | 'hubCaKeyPath' | 'identityPath' | 'inventoryPath' | 'backupRecipientPath'
  >;
  /** How the node finds its LAN NIC: by MAC address on a VM, by name in a container (nspawn's host0). */
  lanMatch: { macAddress: string } | { name: string };
  /** Whether the node has SMBIOS of its own to report (a VM does; a container would report the host's). */
  useSmbios: boolean;
  /** The admin login made on first boot, whose only way in is the operator's SSH key (none: no login but the console's root, locked). */
  admin?: { user: string; sshPublicKey: string };
}

/** Where every minion finds the hub: the master's LAN address and the topology's hub port. */
export function hubAddress(topology: Topology): string {
  const master = topology.nodes.find((n) => n.role === 'master');
  if (!master) throw new UserError('the topology has no master node: the minions would have no hub to enroll with');
  return `${master.ip}:${topology.hub.port}`;
}

export function renderLanNetwork(t: Topology, node: TopologyNode, match: SeedInput['lanMatch']): string {
  const prefix = parseIpv4Network(t.lan.cidr).prefix;
  const matchLine = 'macAddress' in match ? `MACAddress=${match.macAddress}` : `Name=${match.name}`;
  return `# Written by kubedos from the topology: the node's static LAN address.
[Match]
${matchLine}

[Network]
Address=${node.ip}/${prefix}
Gateway=${t.lan.gateway}
${t.lan.dns.map((d) => `DNS=${d}`).join('\n')}
Domains=${t.lan.domain}
LinkLocalAddressing=no
IPv6AcceptRA=no
`;
}

export function nodeSeedFiles(input: SeedInput): SeedFile[] {
  const { topology: t, node } = input;
  const config: MinionConfigFile = {
    hub: hubAddress(t),
    hubCaPem: input.secrets.hubCaPem,
    identityFile: NODE_PATHS.identity,
    stateDir: NODE_PATHS.minionState,
    useSmbios: input.useSmbios,
    root: '/',
    // On the master the hub holds the planes; its minion must not bring up a second set.
    planes: node.role === 'master' ? 'off' : 'auto',
    // A real node's disk keeps no enrollment proof once it has enrolled.
    forgetCredential: true,
  };
  const files: SeedFile[] = [
    { path: '/etc/hostname', mode: 0o644, content: `${node.hostname}\n` },
    {
      path: '/etc/hosts',
      mode: 0o644,
      content: `127.0.0.1\tlocalhost\n127.0.1.1\t${node.hostname}.${t.lan.domain}\t${node.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
    },
    {
      path: '/etc/resolv.conf',
      mode: 0o644,
      content: `search ${t.lan.domain}\n${t.lan.dns.map((d) => `nameserver ${d}`).join('\n')}\n`,
    },
    { path: NODE_PATHS.lanNetwork, mode: 0o644, content: renderLanNetwork(t, node, input.lanMatch) },
    { path: NODE_PATHS.minionConfig, mode: 0o644, content: JSON.stringify(config, null, 2) + '\n' },
    { path: NODE_PATHS.identity, mode: 0o600, content: fs.readFileSync(input.secrets.identityPath(node.hostname)) },
  ];
  if (input.admin) {
    if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(input.admin.user))
      throw new UserError(`admin user name ${input.admin.user} is not a valid login`);
    if (!/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(input.admin.sshPublicKey.trim()))
      throw new UserError('the SSH public key does not look like one (ssh-ed25519 AAAA… or similar)');
    files.push(
      { path: NODE_PATHS.adminUser, mode: 0o644, content: `${input.admin.user}\n` },
      { path: NODE_PATHS.adminKey, mode: 0o644, content: `${input.admin.sshPublicKey.trim()}\n` },
    );
  }
  if (node.role === 'master') {
    files.push(
      { path: hubTlsCaFiles(NODE_PATHS.hubDir).cert, mode: 0o644, content: input.secrets.hubCaPem },
      // The hub's TLS CA key is in the master's seed and no other: the hub issues itself its certificates.
      { path: hubTlsCaFiles(NODE_PATHS.hubDir).key, mode: 0o600, content: fs.readFileSync(input.secrets.hubCaKeyPath) },
      { path: NODE_PATHS.topology, mode: 0o644, content: fs.readFileSync(input.topologyFile) },
      { path: NODE_PATHS.inventory, mode: 0o644, content: fs.readFileSync(input.secrets.inventoryPath) },
      // The recovery key's public half only: the hub seals its backups to it and can open none of them.
      { path: NODE_PATHS.backupRecipient, mode: 0o644, content: fs.readFileSync(input.secrets.backupRecipientPath) },
    );
  }
  return files;
}

/**
 * A folder's files, as seed files under `into` with their modes, every
 * folder on the way private: a restored hub state on a new master's seed.
 */
export function folderSeedFiles(dir: string, into: string): SeedFile[] {
  const out: SeedFile[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) {
        const file = path.join(dir, r);
        out.push({
          path: path.join(into, r),
          mode: fs.statSync(file).mode & 0o777,
          content: fs.readFileSync(file),
          privateFrom: into,
        });
      }
    }
  };
  walk('');
  return out;
}
