import { runMain } from '../shared/cli/run-main.ts';
import { buildIsosCommand } from './cli.ts';

/** Runs `build-isos` on its own (node iso-builder/main.ts ...) until it is wired into `kubedos`. */
runMain('kubedos build-isos', async () => {
  await buildIsosCommand().exitOverride().parseAsync();
});
