import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/hub-fixture.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

function files(dir: string, base = dir): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) for (const [k, v] of files(p, base)) out.set(k, v);
    else out.set(path.relative(base, p), fs.readFileSync(p, 'utf8'));
  }
  return out;
}

describe('generated contract types', () => {
  it('proto/gen matches hub.proto (run "npm run proto:gen" after editing the .proto)', () => {
    const script = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).scripts['proto:gen'] as string;
    const args = script.split(' && ')[1]!.split(' ').slice(1);
    const out = tempDir('protogen');
    const outIndex = args.indexOf('-O');
    args[outIndex + 1] = out;
    execFileSync(path.join(REPO, 'node_modules', '.bin', 'proto-loader-gen-types'), args, { cwd: REPO, stdio: 'pipe' });
    const fresh = files(out);
    const committed = files(path.join(REPO, 'proto', 'gen'));
    fs.rmSync(out, { recursive: true, force: true });
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort());
    for (const [name, text] of fresh) assert.equal(committed.get(name), text, `${name} is stale`);
  });
});
