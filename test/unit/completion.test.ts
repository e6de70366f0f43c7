import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');

/** What bash completes for the words typed so far, with the CLI's own completion script loaded. */
function complete(cli: 'kubedos' | 'hubctl', words: string[]): string[] {
  const script = execFileSync(path.join(REPO, 'bin', cli), ['completion', 'bash'], { encoding: 'utf8' });
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    ['-c', `${script}\nCOMP_WORDS=(${cli} ${quoted}); COMP_CWORD=${words.length}; _${cli}; echo "\${COMPREPLY[*]}"`],
    { encoding: 'utf8' },
  );
  return out.trim().split(/\s+/).filter(Boolean).sort();
}

describe('shell completion (bash), made from the commands themselves', function () {
  this.timeout(30_000);
  it('completes kubedos subcommands and the options of the one typed', () => {
    assert.deepEqual(complete('kubedos', ['de']), ['deploy', 'destroy']);
    assert.deepEqual(complete('kubedos', ['red']), ['redeploy']);
    assert.ok(complete('kubedos', ['deploy', '--st']).includes('--stage'));
    assert.deepEqual(complete('kubedos', ['destroy', '--y']), ['--yes']);
  });
  it('completes nested hubctl commands and their options', () => {
    assert.deepEqual(complete('hubctl', ['enroll', '']), ['--help', 'close', 'open', 'show']);
    assert.deepEqual(complete('hubctl', ['enroll', 'open', '--t']), ['--ttl']);
    assert.deepEqual(complete('hubctl', ['converge', '--c']), ['--cancel']);
  });
});
