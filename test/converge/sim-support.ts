import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { ConvergeEngine, type EngineOptions } from '../../hub/converge/engine.ts';
import { databaseStores } from '../../hub/converge/run-records.ts';
import { LocalChannel, type LocalChannelOptions } from '../support/local-channel.ts';
import { CertificateSigner } from '../../hub/pki/certificate-signer.ts';
import { recordIssued } from '../../hub/pki/issued-certificates.ts';
import { openConvergeDb } from '../../hub/converge/open-db.ts';
import { buildPlan } from '../../hub/plan/build-plan.ts';
import { ensurePlanMaterial } from '../../hub/plan/material.ts';
import type { Plan } from '../../hub/plan/model.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import type { Topology } from '../../shared/topology/model.ts';

/** A 16-node sim: hub state dir, one root dir per minion, an engine on a fresh database. */
export interface Sim {
  dir: string;
  t: Topology;
  plan: Plan;
  db: DatabaseSync;
  channel: LocalChannel;
  engine: ConvergeEngine;
  root(node: string): string;
  read(node: string, file: string): string;
  cleanup(): void;
}

export async function makeSim(opts: { channel?: LocalChannelOptions; engine?: EngineOptions } = {}): Promise<Sim> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-sim-'));
  const t = loadTopology();
  const plan = buildPlan(t, await ensurePlanMaterial(path.join(dir, 'hub'), t));
  const db = openConvergeDb(path.join(dir, 'hub', 'state.db'));
  // As the hub does: every certificate signed is recorded, for its expiry.
  const signer = new CertificateSigner({
    pkiDir: path.join(dir, 'hub', 'pki'),
    topology: () => t,
    onIssued: (n, p, pem) => recordIssued(db, n, p, pem),
  });
  const channel = new LocalChannel({ signCertificate: (n, p, csr) => signer.sign(n, p, csr), ...opts.channel });
  for (const n of t.nodes) channel.addNode(n.hostname, path.join(dir, 'roots', n.hostname));
  const engine = new ConvergeEngine(databaseStores(db), channel, { backoffMs: () => 20, ...opts.engine });
  const root = (node: string) => channel.nodes.get(node)!.root;
  return {
    dir,
    t,
    plan,
    db,
    channel,
    engine,
    root,
    read: (node, file) => fs.readFileSync(path.join(root(node), file), 'utf8'),
    cleanup: () => {
      engine.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
