import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../shared/fs/atomic-write.ts';
import type { InventoryFile, NodeIdentityFile } from '../shared/identity/files.ts';
import { generateSigningKeyPair, signingKeyPairFromSeed } from '../shared/keys/ed25519.ts';
import { createHubTlsIdentity } from '../shared/pki/hub-tls.ts';
import type { Topology, TopologyNode } from '../shared/topology/model.ts';

/**
 * A deployment's secrets folder, made on the operator's machine and never
 * committed (0700):
 *   hub/tls.crt, hub/tls.key   the hub's TLS identity (the key goes only to the master)
 *   nodes/<node>.identity.json  one enrollment credential per node (only to that node)
 *   inventory.json              public halves, for the hub
 * Re-running keeps what exists, so ISOs already built stay valid; nodes new to
 * the topology get new credentials.
 */
export interface DeploymentSecrets {
  dir: string;
  deployment: string;
  hubCertPath: string;
  hubKeyPath: string;
  hubCertPem: string;
  inventoryPath: string;
  identityPath(node: string): string;
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
  const hubCertPath = path.join(dir, 'hub', 'tls.crt');
  const hubKeyPath = path.join(dir, 'hub', 'tls.key');
  if (!fs.existsSync(hubCertPath) || !fs.existsSync(hubKeyPath)) {
    const tls = await createHubTlsIdentity(topology.name);
    // Key first: a crash between the two leaves no certificate without its key.
    writeFileAtomic(hubKeyPath, tls.keyPem, 0o600);
    writeFileAtomic(hubCertPath, tls.certPem, 0o644);
  }
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
  return {
    dir,
    deployment: topology.name,
    hubCertPath,
    hubKeyPath,
    hubCertPem: fs.readFileSync(hubCertPath, 'utf8'),
    inventoryPath,
    identityPath,
  };
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
