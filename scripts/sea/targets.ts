import path from 'node:path';

/** The checkout the build reads from; every path in the bundle is written relative to it. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The Node binary pinned in package.json: the runtime every single executable is made from. */
export const PINNED_NODE = path.join(REPO_ROOT, 'node_modules/node/bin/node');

export interface SeaTarget {
  /** File name under the output directory. */
  name: string;
  /** Entry point, relative to REPO_ROOT. */
  entry: string;
  /** Node options built into the executable (the SEA config's execArgv). */
  execArgv?: readonly string[];
}

export const SEA_TARGETS: readonly SeaTarget[] = [
  // A minion is idle almost always: a 1 MiB young generation instead of
  // V8's default 16 MiB semi-spaces took 18 MiB off its steady RSS (bench/lab.ts).
  { name: 'kubedos-minion', entry: 'minion/main.ts', execArgv: ['--max-semi-space-size=1'] },
  { name: 'kubedos-hub', entry: 'hub/main.ts' },
];

/**
 * First-party modules allowed to locate files with import.meta.dirname. In
 * the executable that is the executable's own directory, where no source
 * tree is; each entry says why the file is never needed there. Any other
 * module doing it fails the build (see guard-import-meta.ts).
 */
export const IMPORT_META_ALLOWED: Readonly<Record<string, string>> = {
  'shared/topology/load.ts': 'DEFAULT_TOPOLOGY serves the operator CLI; the hub is always given --topology',
};
