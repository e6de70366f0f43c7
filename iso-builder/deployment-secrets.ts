import fs from 'node:fs';
import path from 'node:path';
import { loadOrCreateWireguardKey } from '../shared/keys/wireguard-key-file.ts';
import { toBase64 } from '../shared/keys/wireguard.ts';
import { ensurePrivateDir, writeFileAtomic } from '../shared/fs/atomic-write.ts';
import type { InventoryFile, NodeIdentityFile } from '../shared/identity/files.ts';
import { generateSigningKeyPair, signingKeyPairFromSeed } from '../shared/keys/ed25519.ts';
import { CertificateAuthority } from '../shared/pki/certificate-authority.ts';
import { HUB_TLS_CA, hubTlsCaFiles } from '../shared/pki/hub-tls.ts';
import type { Topology, TopologyNode } from '../shared/topology/model.ts';

/**
 * A deployment's secrets folder, made on the operator's machine and never
 * committed (0700):
 *   hub/hub-tls-ca.crt, .key    the hub's TLS CA: every node pins the certificate; the key
 *                               goes only to the master, whose hub issues itself its
 *                               serving certificates from it
 *   nodes/<node>.identity.json  one enrollment credential per node (only to that node)
 *   inventory.json              public halves, for the hub
 * Re-running keeps what exists, so ISOs already built stay valid; nodes new to
 * the topology get new credentials.
 */
export interface DeploymentSecrets {
  dir: string;
  deployment: string;
  /** The hub's TLS CA: what every node pins, and what the hub issues its serving certificates from. */
  hubCaCertPath: string;
  hubCaKeyPath: string;
  hubCaPem: string;
  inventoryPath: string;
  identityPath(node: string): string;
  /**
   * The deployment's recovery key (Curve25519, base64, 0600): the hub seals
   * its backups to its public half, which is all the master holds; restoring
   * a backup takes this private half, which stays here.
   */
  recoveryKeyPath: string;
  /** Its public half, given to the hub (`--backup-recipient`). */
  backupRecipientPath: string;
}

/** A node's identity file with a credential made now (an Ed25519 seed), never used. */
function newNodeIdentity(topology: Topology, node: TopologyNode): NodeIdentityFile {
  return {
    deployment: topology.name,
    node: node.hostname,
    credentialSeed: Buffer.from(generateSigningKeyPair().seed).toString('base64'),
    ...(node.smbiosUuid ? { smbiosUuid: node.smbiosUuid } : {}),
  };
}

export async function ensureDeploymentSecrets(dir: string, topology: Topology): Promise<DeploymentSecrets> {
  ensurePrivateDir(dir);
  ensurePrivateDir(path.join(dir, 'hub'));
  ensurePrivateDir(path.join(dir, 'nodes'));
  const hubDir = path.join(dir, 'hub');
  migrateSelfSignedHubTls(hubDir);
  await CertificateAuthority.ensure(hubDir, HUB_TLS_CA, topology.name);
  const hubCa = hubTlsCaFiles(hubDir);
  const identityPath = (node: string) => path.join(dir, 'nodes', `${node}.identity.json`);
  const inventory: InventoryFile = { deployment: topology.name, nodes: [] };
  for (const node of topology.nodes) {
    const file = identityPath(node.hostname);
    let identity: NodeIdentityFile;
    if (fs.existsSync(file)) {
      identity = JSON.parse(fs.readFileSync(file, 'utf8')) as NodeIdentityFile;
    } else {
      identity = newNodeIdentity(topology, node);
      writeFileAtomic(file, JSON.stringify(identity, null, 2) + '\n', 0o600);
    }
    const publicKey = signingKeyPairFromSeed(Buffer.from(identity.credentialSeed!, 'base64')).publicKey;
    inventory.nodes.push({
      node: node.hostname,
      credentialPublicKey: Buffer.from(publicKey).toString('base64'),
      ...(node.smbiosUuid ? { smbiosUuid: node.smbiosUuid } : {}),
    });
  }
  const inventoryPath = path.join(dir, 'inventory.json');
  writeFileAtomic(inventoryPath, JSON.stringify(inventory, null, 2) + '\n', 0o644);
  // A Curve25519 key kept as `wg genkey` keeps one: the same curve NaCl's box (the backups' seal) uses.
  const recoveryKeyPath = path.join(dir, 'recovery.key');
  const recovery = loadOrCreateWireguardKey(recoveryKeyPath);
  const backupRecipientPath = path.join(hubDir, 'backup-recipient.pub');
  if (
    !fs.existsSync(backupRecipientPath) ||
    fs.readFileSync(backupRecipientPath, 'utf8') !== toBase64(recovery.publicKey) + '\n'
  )
    writeFileAtomic(backupRecipientPath, toBase64(recovery.publicKey) + '\n', 0o644);
  return {
    recoveryKeyPath,
    backupRecipientPath,
    dir,
    deployment: topology.name,
    hubCaCertPath: hubCa.cert,
    hubCaKeyPath: hubCa.key,
    hubCaPem: fs.readFileSync(hubCa.cert, 'utf8'),
    inventoryPath,
    identityPath,
  };
}

/**
 * A secrets folder from before the hub had a TLS CA held one self-signed
 * certificate (hub/tls.crt, a CA itself) that its nodes pin: it becomes the
 * hub's TLS CA, so those nodes keep trusting the hub, which now serves
 * certificates issued by it. Key first, certificate last: a crash in
 * between is finished by the next run.
 */
function migrateSelfSignedHubTls(hubDir: string): void {
  const ca = hubTlsCaFiles(hubDir);
  const old = { cert: path.join(hubDir, 'tls.crt'), key: path.join(hubDir, 'tls.key') };
  if (fs.existsSync(ca.cert) || !fs.existsSync(old.cert)) return;
  if (fs.existsSync(old.key)) fs.renameSync(old.key, ca.key);
  if (fs.existsSync(ca.key)) fs.renameSync(old.cert, ca.cert);
}

/**
 * "If it breaks, replace it": a node's enrollment credential is spent by its
 * first enrollment, so a rebuilt node gets a new one. Its file is replaced
 * (0600, atomically: the old seed is worthless from here on) and the
 * inventory follows; returns the new public key (base64), which the hub is
 * given with `hubctl replace NODE --credential-key`.
 */
export async function renewNodeCredential(dir: string, topology: Topology, node: string): Promise<string> {
  const n = topology.nodes.find((x) => x.hostname === node);
  if (!n) throw new Error(`no node ${node} in ${topology.name}`);
  const identity = newNodeIdentity(topology, n);
  ensurePrivateDir(path.join(dir, 'nodes'));
  writeFileAtomic(path.join(dir, 'nodes', `${node}.identity.json`), JSON.stringify(identity, null, 2) + '\n', 0o600);
  // The inventory is written again from the files, this node's new one included.
  await ensureDeploymentSecrets(dir, topology);
  return Buffer.from(signingKeyPairFromSeed(Buffer.from(identity.credentialSeed!, 'base64')).publicKey).toString(
    'base64',
  );
}
