import path from 'node:path';
import { Command, Option } from 'commander';
import { UserError } from '../shared/errors.ts';
import { buildExecutables } from './sea/build.ts';
import { SEA_TARGETS } from './sea/targets.ts';

// `npm run build`: the minion and hub as single executables in dist/.
const program = new Command('build-sea')
  .description('Build dist/kubedos-minion and dist/kubedos-hub as Node single executables')
  .option('--out <dir>', 'output directory', 'dist')
  .addOption(new Option('--only <name...>', 'build only these').choices(SEA_TARGETS.map((t) => t.name)))
  .option('--json', 'print the result as JSON')
  .action(async (opts: { out: string; only?: string[]; json?: boolean }) => {
    const started = performance.now();
    const targets = SEA_TARGETS.filter((t) => !opts.only || opts.only.includes(t.name));
    const built = await buildExecutables({ outDir: path.resolve(opts.out), targets });
    const seconds = (performance.now() - started) / 1000;
    if (opts.json) {
      console.log(JSON.stringify({ seconds, executables: built }, null, 2));
      return;
    }
    for (const b of built) {
      console.log(`${path.relative(process.cwd(), b.path)}  ${(b.bytes / 1e6).toFixed(1)} MB  sha256 ${b.sha256}`);
    }
    console.log(`built in ${seconds.toFixed(1)} s`);
  });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof UserError) {
    console.error(`build: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
});
