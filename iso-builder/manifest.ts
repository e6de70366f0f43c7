import type { Role } from '../shared/topology/model.ts';

/** One built ISO, as listed in <out>/manifest.json and printed by --json. */
export interface IsoManifestEntry {
  name: string;
  role: Role;
  nodes: string[];
  sha256: string;
  size: number;
}

export interface BuildManifest {
  deployment: string;
  sourceDateEpoch: number;
  baseInstaller: string;
  snapshot: { key: string; packages: number; bytes: number; downloaded: number; cached: boolean };
  isos: IsoManifestEntry[];
  /** Bytes written by this build: every ISO plus, when it was not cached, the snapshot. */
  bytesWritten: number;
}
