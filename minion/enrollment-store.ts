import fs from 'node:fs';
import path from 'node:path';
import type { EnrollResponse__Output } from '../proto/gen/kubedos/v1/EnrollResponse.ts';
import { writeFileAtomic } from '../shared/fs/atomic-write.ts';

/**
 * The hub's answer, kept in `<stateDir>/enrollment.json`: the node's plane
 * addresses and the hub's plane keys and endpoints (public data; 0600 all
 * the same, like everything in the state dir). Keys are stored as base64.
 */
export interface StoredEnrollment {
  deployment: string;
  node: string;
  role: string;
  generation: number;
  enrolledAtMs: number;
  heartbeatIntervalMs: number;
  planes: Array<{
    plane: string;
    purpose: string;
    address: string;
    network: string;
    listenPort: number;
    hubAddress: string;
    hubPublicKey: string;
    hubEndpoint: string;
  }>;
}

const FILE = 'enrollment.json';

export function toStoredEnrollment(r: EnrollResponse__Output): StoredEnrollment {
  return {
    deployment: r.deployment,
    node: r.node,
    role: r.role,
    generation: r.generation,
    enrolledAtMs: r.enrolledAtMs,
    heartbeatIntervalMs: r.heartbeatIntervalMs,
    planes: r.planes.map((p) => ({ ...p, hubPublicKey: Buffer.from(p.hubPublicKey).toString('base64') })),
  };
}

export function saveEnrollment(stateDir: string, e: StoredEnrollment): void {
  writeFileAtomic(path.join(stateDir, FILE), JSON.stringify(e, null, 2) + '\n', 0o600);
}

export function loadEnrollment(stateDir: string): StoredEnrollment | undefined {
  const file = path.join(stateDir, FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredEnrollment;
}

export function forgetEnrollment(stateDir: string): void {
  fs.rmSync(path.join(stateDir, FILE), { force: true });
}
