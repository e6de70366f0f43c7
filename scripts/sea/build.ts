import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import { bundleEntry } from './bundle.ts';
import { makeExecutable } from './make-executable.ts';
import { PINNED_NODE, REPO_ROOT, SEA_TARGETS, type SeaTarget } from './targets.ts';

export interface BuiltExecutable {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * Builds the single executables into outDir. Each target gets its own
 * scratch directory (removed afterwards), so two builds can run side by side.
 */
export async function buildExecutables(options: {
  outDir: string;
  targets?: readonly SeaTarget[];
  repoRoot?: string;
  node?: string;
}): Promise<BuiltExecutable[]> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const node = options.node ?? PINNED_NODE;
  const targets = options.targets ?? SEA_TARGETS;
  if (!fs.existsSync(node)) throw new UserError(`the pinned Node is missing at ${node}; run 'npm ci'`);
  for (const t of targets) {
    if (!fs.existsSync(path.join(repoRoot, t.entry))) throw new UserError(`entry point ${t.entry} does not exist`);
  }
  fs.mkdirSync(options.outDir, { recursive: true });
  // Bundling first for every target: a bundling error stops the build before
  // any executable is replaced.
  const scripts = await Promise.all(targets.map((t) => bundleEntry(repoRoot, t.entry)));
  return Promise.all(
    targets.map(async (t, i) => {
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kds-sea-'));
      try {
        const output = path.join(options.outDir, t.name);
        await makeExecutable({ node, script: scripts[i]!, workDir, output, execArgv: t.execArgv });
        fs.writeFileSync(stampOf(output), `${buildHash(scripts[i]!, t)}\n`);
        return describe(t.name, output);
      } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
      }
    }),
  );
}

/** Beside each executable: the sha256 of what it was made from, so a stale one can be told. */
function stampOf(executable: string): string {
  return `${executable}.bundle-sha256`;
}

/** What an executable is made from: its bundle and the Node options built in. */
function buildHash(script: string, t: SeaTarget): string {
  return createHash('sha256')
    .update(script)
    .update(JSON.stringify(t.execArgv ?? []))
    .digest('hex');
}

function describe(name: string, file: string): BuiltExecutable {
  const data = fs.readFileSync(file);
  return { name, path: file, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/**
 * The executables in outDir, built only when missing or stale: each one's
 * bundle is made again (esbuild, about a second) and compared with the
 * bundle hash recorded beside the executable when it was built.
 */
export async function ensureExecutables(options: {
  outDir: string;
  onBuild?: (names: string[]) => void;
}): Promise<Record<string, BuiltExecutable>> {
  const out: Record<string, BuiltExecutable> = {};
  const stale: SeaTarget[] = [];
  for (const t of SEA_TARGETS) {
    const hash = buildHash(await bundleEntry(REPO_ROOT, t.entry), t);
    const exe = path.join(options.outDir, t.name);
    const stamp = stampOf(exe);
    const fresh = fs.existsSync(exe) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash;
    if (fresh) out[t.name] = describe(t.name, exe);
    else stale.push(t);
  }
  if (stale.length) {
    options.onBuild?.(stale.map((t) => t.name));
    for (const b of await buildExecutables({ outDir: options.outDir, targets: stale })) out[b.name] = b;
  }
  return out;
}
