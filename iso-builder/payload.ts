import fs from 'node:fs';
import { UserError } from '../shared/errors.ts';
import type { MinionConfigFile } from '../shared/identity/files.ts';
import type { Topology, TopologyNode } from '../shared/topology/model.ts';
import { IMAGE_UNITS, NODE_PATHS } from './node-layout.ts';

/** Folder on the ISO holding the node's payload; the preseed's late_command installs it. */
export const PAYLOAD_ISO_DIR = 'kubedos';

/** Printed on the serial console once the late_command has installed the payload (the install test waits for it). */
export const PAYLOAD_INSTALLED_MARKER = 'KUBEDOS-PAYLOAD-INSTALLED';

/** One file of the payload: taken from a file on the build host, or written from memory. */
export type PayloadFile = { name: string; from: string } | { name: string; content: string };

export interface PayloadInput {
  topology: Topology;
  topologyFile: string;
  node: TopologyNode;
  minionBinary: string;
  hubBinary: string;
  hubCertPem: string;
  hubCertPath: string;
  hubKeyPath: string;
  identityPath: string;
  inventoryPath: string;
  sshPublicKey: string;
  adminUser: string;
}

/** Bad payload inputs are found before any ISO work starts. */
export function checkReadableFile(file: string, what: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new UserError(`${what} ${file} is not readable: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!st.isFile()) throw new UserError(`${what} ${file} is not a regular file`);
}

export function hubAddress(topology: Topology): string {
  const master = topology.nodes.find((n) => n.role === 'master');
  if (!master) throw new UserError('the topology has no master node: the minions would have no hub to enroll with');
  return `${master.ip}:${topology.hub.port}`;
}

/**
 * The late_command script: copies the payload from the disc into the new
 * system with the right modes, points APT at the darksite only, and enables
 * the first-boot units. It runs under the installer's busybox sh, so it uses
 * only cp/mkdir/chmod/ln (no install(1)).
 */
export function installScript(node: TopologyNode, adminUser: string, suite: string): string {
  const isMaster = node.role === 'master';
  const p = NODE_PATHS;
  return `#!/bin/sh
# kubedos payload installer for ${node.hostname} (${node.role}); generated, do not edit.
set -eu
CD="$1"; T="$2"; SRC="$CD/${PAYLOAD_ISO_DIR}"
umask 022
mkdir -p "$T/usr/local/bin" "$T/etc/kubedos" "$T/etc/systemd/system/multi-user.target.wants" "$T/etc/apt/keyrings"
cp "$SRC/kubedos-minion" "$T${p.minionBinary}" && chmod 0755 "$T${p.minionBinary}"
cp "$SRC/minion.json" "$T${p.minionConfig}" && chmod 0644 "$T${p.minionConfig}"
umask 077
mkdir -p "$T${p.minionState}" && chmod 0700 "$T${p.minionState}"
cp "$SRC/identity.json" "$T${p.identity}" && chmod 0600 "$T${p.identity}"
umask 022
cp "$SRC/kubedos-minion.service" "$T/etc/systemd/system/kubedos-minion.service"
ln -sf /etc/systemd/system/kubedos-minion.service "$T/etc/systemd/system/multi-user.target.wants/kubedos-minion.service"
${
  isMaster
    ? `cp "$SRC/kubedos-hub" "$T${p.hubBinary}" && chmod 0755 "$T${p.hubBinary}"
cp "$SRC/topology.yaml" "$T${p.topology}" && cp "$SRC/inventory.json" "$T${p.inventory}"
umask 077
mkdir -p "$T${p.hubDir}" "$T${p.hubState}" && chmod 0700 "$T${p.hubDir}" "$T${p.hubState}"
cp "$SRC/hub-tls.crt" "$T${p.hubDir}/tls.crt" && cp "$SRC/hub-tls.key" "$T${p.hubDir}/tls.key" && chmod 0600 "$T${p.hubDir}/tls.key"
umask 022
cp "$SRC/kubedos-hub.service" "$T/etc/systemd/system/kubedos-hub.service"
ln -sf /etc/systemd/system/kubedos-hub.service "$T/etc/systemd/system/multi-user.target.wants/kubedos-hub.service"
`
    : ''
}# The operator's key is the only way in: root stays locked, the admin has no password.
mkdir -p "$T/home/${adminUser}/.ssh"
cp "$SRC/admin.pub" "$T/home/${adminUser}/.ssh/authorized_keys"
chmod 0700 "$T/home/${adminUser}/.ssh" && chmod 0600 "$T/home/${adminUser}/.ssh/authorized_keys"
chroot "$T" chown -R ${adminUser}:${adminUser} /home/${adminUser}/.ssh
echo '${adminUser} ALL=(ALL) NOPASSWD:ALL' > "$T/etc/sudoers.d/kubedos-admin" && chmod 0440 "$T/etc/sudoers.d/kubedos-admin"
# APT on the node sees only the darksite snapshot, copied off the disc, verified with the deployment's key.
mkdir -p "$T${p.darksite}"
cp -R "$CD/dists" "$CD/pool" "$T${p.darksite}/"
cp "$CD/kubedos-darksite.gpg" "$T${p.darksiteKey}" && chmod 0644 "$T${p.darksiteKey}"
rm -f "$T/etc/apt/sources.list.d/"*.list
echo 'deb [signed-by=${p.darksiteKey}] file:${p.darksite} ${suite} main' > "$T/etc/apt/sources.list"
echo "${PAYLOAD_INSTALLED_MARKER} node=${node.hostname}" >/dev/ttyS0 || true
`;
}

/** Every file of a node's payload, by its name under /${PAYLOAD_ISO_DIR} on the ISO. */
export function payloadFiles(input: PayloadInput, suite: string): PayloadFile[] {
  const { topology, node } = input;
  const config: MinionConfigFile = {
    hub: hubAddress(topology),
    hubCertPem: input.hubCertPem,
    identityFile: NODE_PATHS.identity,
    stateDir: NODE_PATHS.minionState,
    useSmbios: true,
    root: '/',
    // On the master the hub holds the planes; its minion must not bring up a second set.
    planes: node.role === 'master' ? 'off' : 'auto',
  };
  const files: PayloadFile[] = [
    { name: 'kubedos-minion', from: input.minionBinary },
    { name: 'minion.json', content: JSON.stringify(config, null, 2) + '\n' },
    { name: 'identity.json', from: input.identityPath },
    { name: 'kubedos-minion.service', content: IMAGE_UNITS['kubedos-minion.service']! },
    { name: 'admin.pub', content: input.sshPublicKey.trim() + '\n' },
    { name: 'install-payload.sh', content: installScript(node, input.adminUser, suite) },
  ];
  if (node.role === 'master') {
    files.push(
      { name: 'kubedos-hub', from: input.hubBinary },
      { name: 'kubedos-hub.service', content: IMAGE_UNITS['kubedos-hub.service']! },
      { name: 'hub-tls.crt', from: input.hubCertPath },
      // The hub's private key goes on the master's ISO and no other.
      { name: 'hub-tls.key', from: input.hubKeyPath },
      { name: 'topology.yaml', from: input.topologyFile },
      { name: 'inventory.json', from: input.inventoryPath },
    );
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : 1));
}
