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
    assert.ok(found.includes('deploy/proxmox/commands.ts'));
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
});
