/**
 * The two files that tie a node to a deployment before it has ever talked to
 * the hub. The deployer writes both (iso-builder/deployment-secrets.ts).
 *
 * - NodeIdentityFile: on the node only (its ISO, or its sim state dir), 0600.
 *   It holds the node's enrollment credential: an Ed25519 seed made for this
 *   one node, so a credential lifted from one ISO can only ever speak for
 *   that node, and only while an operator holds a window open for it.
 * - InventoryFile: given to the hub. Public halves only.
 */
export interface NodeIdentityFile {
  deployment: string;
  node: string;
  /**
   * base64 Ed25519 seed of the per-node enrollment credential. Absent on a
   * node that has enrolled and was told to forget it (MinionConfigFile.forgetCredential).
   */
  credentialSeed?: string;
  /** SMBIOS system UUID the node is expected to report, when the substrate sets one. */
  smbiosUuid?: string;
}

export interface InventoryNode {
  node: string;
  /** base64 Ed25519 public key of the node's enrollment credential. */
  credentialPublicKey: string;
  smbiosUuid?: string;
  smbiosSerial?: string;
}

export interface InventoryFile {
  deployment: string;
  nodes: InventoryNode[];
}

/** What a minion needs to find and trust its hub; written beside the identity file. */
export interface MinionConfigFile {
  /** "host:port" of the hub's LAN listener (enrollment, and sessions until wg1 is up). */
  hub: string;
  /** The hub's certificate, pinned: the only certificate this minion trusts for the hub. */
  hubCaPem: string;
  /** Path to the NodeIdentityFile. */
  identityFile: string;
  /** Where the minion keeps its keys and enrollment (0700). */
  stateDir: string;
  /** Read the SMBIOS system UUID and serial from the hardware (false in the sim). */
  useSmbios: boolean;
  /** Root directory the minion's tasks and plane configs are written under ("/" on a real node). */
  root?: string;
  /** Sim: package, service and Kubernetes commands are journaled under root instead of run. */
  recordCommands?: boolean;
  /** How planes come up: "auto" (detected; what a real node's ISO config says), a fixed mode, or "off" (the default, and the sim). */
  planes?: 'auto' | 'off' | 'wg-quick' | 'wireguard-go';
  /**
   * Delete the enrollment credential from the identity file once enrolled (a
   * real node's seed says so): a disk lifted later holds no proof to enroll
   * with. Such a node enrolls again only by being reinstalled (a new seed).
   */
  forgetCredential?: boolean;
}
