/**
 * mocha's spec reporter, then where the time went: wall time per tier (the
 * folder under test/) and per file, hooks included (a lab's `before` that
 * installs VMs is most of its file), and the slowest tests; last, the plain
 * line "N passed, N failed, N skipped" that any CI reads.
 */
import path from 'node:path';
import Mocha from 'mocha';

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_END, EVENT_RUN_END } = Mocha.Runner.constants;
const TEST_ROOT = path.resolve(import.meta.dirname, '..');
const SHOWN = 10;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).padStart(7)} s`;

export default class TimedSpecReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const started = new Map<Mocha.Suite, number>();
    const files: Array<{ file: string; ms: number }> = [];
    const tests: Array<{ title: string; ms: number }> = [];
    const runStart = Date.now();
    // A file's top-level describe: its wall time from its first hook to its last.
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.parent?.root) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      const at = started.get(suite);
      if (at === undefined) return;
      const file = suite.file ? path.relative(TEST_ROOT, suite.file) : suite.title;
      const known = files.find((f) => f.file === file);
      if (known) known.ms += Date.now() - at;
      else files.push({ file, ms: Date.now() - at });
    });
    runner.on(EVENT_TEST_END, (test: Mocha.Test) => {
      if (test.duration !== undefined) tests.push({ title: test.fullTitle(), ms: test.duration });
    });
    runner.once(EVENT_RUN_END, () => {
      const tiers = new Map<string, number>();
      for (const f of files) {
        const tier = f.file.split(path.sep)[0]!;
        tiers.set(tier, (tiers.get(tier) ?? 0) + f.ms);
      }
      const out = [`  where the time went (mocha ${seconds(Date.now() - runStart).trim()} in all):`, '  per tier:'];
      for (const [tier, ms] of [...tiers].sort((a, b) => b[1] - a[1])) out.push(`    ${seconds(ms)}  ${tier}`);
      out.push(`  slowest ${SHOWN} files (hooks included):`);
      for (const f of files.sort((a, b) => b.ms - a.ms).slice(0, SHOWN)) out.push(`    ${seconds(f.ms)}  ${f.file}`);
      out.push(`  slowest ${SHOWN} tests (their own time, without hooks):`);
      for (const t of tests.sort((a, b) => b.ms - a.ms).slice(0, SHOWN)) out.push(`    ${seconds(t.ms)}  ${t.title}`);
      const s = runner.stats!;
      out.push('', `${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
  }
}
