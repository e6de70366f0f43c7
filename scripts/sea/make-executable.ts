import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';

// The fuse string Node's own binary carries; postject flips it to tell Node a blob is present.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const SEA_RESOURCE = 'NODE_SEA_BLOB';

// postject's CLI, run as a child: its LIEF core prints harmless ELF notes
// warnings that are shown only if injection fails, and two targets inject in
// parallel instead of taking turns on one thread.
const POSTJECT_CLI = fileURLToPath(import.meta.resolve('postject/dist/cli.js'));

/**
 * Turns a bundled script into a Node single executable application: the
 * pinned Node writes the SEA blob, postject injects it into a copy of that
 * same Node binary.
 *
 * Reproducibility: no V8 snapshot and no code cache (both depend on the
 * heap layout of the run that made them), and the script is named by a path
 * relative to the work directory, because the blob records it.
 */
export async function makeExecutable(options: {
  node: string;
  script: string;
  workDir: string;
  output: string;
  execArgv?: readonly string[];
}): Promise<void> {
  const { node, script, workDir, output } = options;
  const name = path.basename(output);
  fs.writeFileSync(path.join(workDir, `${name}.cjs`), script);
  const config = {
    main: `${name}.cjs`,
    output: `${name}.blob`,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    ...(options.execArgv?.length ? { execArgv: options.execArgv } : {}),
  };
  fs.writeFileSync(path.join(workDir, `${name}.sea.json`), JSON.stringify(config));
  await execa(node, ['--experimental-sea-config', `${name}.sea.json`], { cwd: workDir });

  const staged = path.join(workDir, name);
  fs.copyFileSync(node, staged);
  fs.chmodSync(staged, 0o755);
  await execa(node, [POSTJECT_CLI, name, SEA_RESOURCE, config.output, '--sentinel-fuse', SEA_FUSE], { cwd: workDir });

  // Staged in the work directory, then written under the final name
  // atomically: a killed build never leaves a half-written executable there.
  writeFileAtomic(output, fs.readFileSync(staged), 0o755);
}
