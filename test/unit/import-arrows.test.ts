import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * The README's arrows between the top-level folders: each may import only
 * the folders listed (and itself). Product code never imports test/ or
 * bench/. A back arrow (iso-builder → deploy, hub → minion) fails here.
 */
const ARROWS: Record<string, string[]> = {
  proto: [],
  shared: ['proto'],
  hub: ['shared', 'proto'],
  minion: ['shared', 'proto'],
  'iso-builder': ['shared', 'proto'],
  scripts: ['shared'],
  deploy: ['hub', 'minion', 'iso-builder', 'scripts', 'shared', 'proto'],
};

/**
 * Inside deploy/: one pipeline, a toolkit, the media, and five substrates
 * that know the pipeline and the toolkit but never each other; only the
 * registry knows them all, and only the CLI knows the registry.
 */
const DEPLOY_ARROWS: Record<string, string[]> = {
  'deploy/toolkit': [],
  'deploy/media': ['deploy/toolkit'],
  'deploy/pipeline': ['deploy/toolkit'],
  'deploy/substrates/sim': ['deploy/pipeline', 'deploy/toolkit'],
  'deploy/substrates/netns': ['deploy/pipeline', 'deploy/toolkit'],
  'deploy/substrates/nspawn': ['deploy/pipeline', 'deploy/toolkit'],
  'deploy/substrates/qemu': ['deploy/pipeline', 'deploy/toolkit', 'deploy/media'],
  'deploy/substrates/proxmox': ['deploy/pipeline', 'deploy/toolkit', 'deploy/media'],
};

function* tsFiles(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'gen') yield* tsFiles(p);
    } else if (e.name.endsWith('.ts')) yield p;
  }
}

/** Every relative import of a file (static, dynamic and type-only), as repo paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm))
    out.push(path.relative(REPO, path.resolve(path.dirname(file), m[1]!)));
  return out;
}

describe('import arrows between top-level folders', () => {
  it('finds the imports it checks (the walk itself works)', () => {
    const found = importsOf(path.join(REPO, 'deploy/cli/kubedos.ts'));
    assert.ok(found.includes('shared/topology/load.ts'), found.join('\n'));
    assert.ok(found.includes('deploy/substrates/proxmox/commands.ts'));
  });

  it('every arrow runs the way the README draws it', () => {
    const back: string[] = [];
    for (const [from, allowed] of Object.entries(ARROWS)) {
      for (const file of tsFiles(path.join(REPO, from))) {
        for (const target of importsOf(file)) {
          const to = target.split(path.sep)[0]!;
          if (to === from || allowed.includes(to)) continue;
          back.push(`${path.relative(REPO, file)} → ${target}`);
        }
      }
    }
    assert.deepEqual(back, []);
  });

  it('inside deploy/, the substrates know the pipeline and the toolkit, never each other', () => {
    const folders = Object.keys(DEPLOY_ARROWS);
    const folderOf = (p: string) => folders.find((f) => p.startsWith(`${f}/`));
    assert.deepEqual(fs.readdirSync(path.join(REPO, 'deploy/substrates')).sort(), [
      'netns',
      'nspawn',
      'proxmox',
      'qemu',
      'registry.ts',
      'sim',
    ]);
    const back: string[] = [];
    for (const [from, allowed] of Object.entries(DEPLOY_ARROWS)) {
      for (const file of tsFiles(path.join(REPO, from))) {
        for (const target of importsOf(file)) {
          if (!target.startsWith('deploy/')) continue;
          const to = folderOf(target);
          if (to === from || (to && allowed.includes(to))) continue;
          back.push(`${path.relative(REPO, file)} → ${target}`);
        }
      }
    }
    assert.deepEqual(back, []);
  });

  it('the convergence engine and its scheduler are given their store and clock: no database, no wall-clock reads', () => {
    const found: string[] = [];
    for (const f of ['hub/converge/engine.ts', 'hub/converge/scheduler.ts']) {
      const text = fs.readFileSync(path.join(REPO, f), 'utf8');
      if (/from 'node:sqlite'/.test(text)) found.push(`${f} imports node:sqlite`);
      if (/\bDatabaseSync\b/.test(text)) found.push(`${f} names DatabaseSync`);
      if (/Date\.now\(\)|new Date\(\)/.test(text)) found.push(`${f} reads the wall clock`);
    }
    assert.deepEqual(found, []);
  });
});
