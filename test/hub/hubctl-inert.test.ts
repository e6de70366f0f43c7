import assert from 'node:assert/strict';
import { execa } from 'execa';
import path from 'node:path';
import { startHub, type HubFixture } from '../support/hub-fixture.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('hubctl shows text from elsewhere inert on a terminal', () => {
  let f: HubFixture;
  before(async () => (f = await startHub()));
  after(() => f.close());

  it('an escape sequence in what the hub says back is printed as \\x1b, never sent to the terminal', async () => {
    // The hub's refusal repeats the name it was given: here a screen-clearing sequence and a bidi override.
    const name = 'w-9\x1b[2J\x1b[Hfaked\u202e';
    // Asynchronous: the hub answers from this same process.
    const r = await execa(path.join(REPO, 'bin', 'hubctl'), ['--hub-dir', path.join(f.dir, 'hub'), 'replace', name], {
      reject: false,
    });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.ok(!r.stderr.includes('\x1b') && !r.stderr.includes('\u202e'), JSON.stringify(r.stderr));
    assert.match(r.stderr, /unknown node "w-9\\x1b\[2J\\x1b\[Hfaked\\u202e"/);
  });
});
