/**
 * The hub's schema, as an ordered list of migrations. A migration is applied
 * once, inside the same transaction that records it, so a crash mid-upgrade
 * leaves the previous version intact. Never edit one that has shipped: add.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const CORE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'inventory, windows, enrollments, keys, allocations, sessions',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE inventory (
        node TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        vmid INTEGER NOT NULL,
        lan_ip TEXT NOT NULL,
        plane_host INTEGER NOT NULL,
        credential_public_key BLOB NOT NULL,
        smbios_uuid TEXT,
        smbios_serial TEXT,
        generation INTEGER NOT NULL DEFAULT 1
      );
      CREATE TABLE windows (
        id TEXT PRIMARY KEY,
        opened_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        closed_at INTEGER,
        close_reason TEXT,
        scope_role TEXT,
        scope_nodes TEXT NOT NULL DEFAULT '[]'
      );
      CREATE TABLE enrollments (
        node TEXT PRIMARY KEY REFERENCES inventory(node),
        identity_public_key BLOB NOT NULL UNIQUE,
        enrolled_at INTEGER NOT NULL,
        window_id TEXT NOT NULL,
        generation INTEGER NOT NULL,
        facts TEXT NOT NULL
      );
      CREATE TABLE plane_keys (
        node TEXT NOT NULL REFERENCES inventory(node),
        plane TEXT NOT NULL,
        public_key BLOB NOT NULL,
        PRIMARY KEY (node, plane)
      );
      CREATE TABLE allocations (
        plane TEXT NOT NULL,
        address TEXT NOT NULL,
        node TEXT NOT NULL REFERENCES inventory(node),
        allocated_at INTEGER NOT NULL,
        PRIMARY KEY (plane, address),
        UNIQUE (plane, node)
      );
      CREATE TABLE used_nonces (nonce BLOB PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE INDEX used_nonces_expiry ON used_nonces (expires_at);
      CREATE TABLE revoked_keys (
        public_key BLOB PRIMARY KEY,
        node TEXT NOT NULL,
        kind TEXT NOT NULL,
        revoked_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        node TEXT PRIMARY KEY REFERENCES inventory(node),
        connected_at INTEGER,
        last_heartbeat INTEGER,
        disconnected_at INTEGER,
        peer TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'index allocations by node',
    // Every enrollment and grant looks a node's addresses up by node; without
    // this index each lookup scanned the table (10,000 nodes: minutes).
    sql: 'CREATE INDEX allocations_node ON allocations (node);',
  },
  {
    version: 3,
    name: 'enrollment credentials are spent once',
    // A credential's public key, once a node enrolled with it: refused for ever after, replace or not.
    sql: `CREATE TABLE spent_credentials (
        public_key BLOB PRIMARY KEY,
        node TEXT NOT NULL,
        spent_at INTEGER NOT NULL
      );`,
  },
];
