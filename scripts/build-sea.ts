import path from 'node:path';
import { Command, Option } from 'commander';
import { runMain } from '../shared/cli/run-main.ts';
import { buildExecutables } from './sea/build.ts';
import { SEA_TARGETS } from './sea/targets.ts';

// `npm run build`: the minion and hub as single executables in dist/ (docs/build.md).
runMain('build', async () => {
  const program = new Command('build-sea')
    .description('Build dist/kubedos-minion and dist/kubedos-hub as Node single executables')
    .option('--out <dir>', 'output directory', 'dist')
    .addOption(new Option('--only <name...>', 'build only these').choices(SEA_TARGETS.map((t) => t.name)))
    .option('--json', 'print the result as JSON')
    .exitOverride();
  program.parse();
  const opts = program.opts<{ out: string; only?: string[]; json?: boolean }>();
  const started = performance.now();
  const targets = SEA_TARGETS.filter((t) => !opts.only || opts.only.includes(t.name));
  const built = await buildExecutables({ outDir: path.resolve(opts.out), targets });
  const seconds = (performance.now() - started) / 1000;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ seconds, executables: built }, null, 2) + '\n');
    return;
  }
  for (const b of built) {
    process.stdout.write(
      `${path.relative(process.cwd(), b.path)}  ${(b.bytes / 1e6).toFixed(1)} MB  sha256 ${b.sha256}\n`,
    );
  }
  process.stdout.write(`built in ${seconds.toFixed(1)} s\n`);
});
