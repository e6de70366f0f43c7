import path from 'node:path';
import * as esbuild from 'esbuild';
import { UserError } from '../../shared/errors.ts';
import { embedProtoPlugin } from './embed-proto.ts';
import { guardImportMetaPlugin, IMPORT_META_DEFINES } from './guard-import-meta.ts';
import { IMPORT_META_ALLOWED } from './targets.ts';

/**
 * Bundles one entry point and everything it imports into a single CommonJS
 * script, the only form a Node 24 single executable can run (its require()
 * reaches built-in modules only, so nothing may stay external but `node:*`).
 *
 * Any esbuild warning fails the build: the ones that matter here (an
 * `import.meta` left empty, a require() esbuild cannot follow) compile fine
 * and only break at run time on a node, far from the cause.
 */
export async function bundleEntry(repoRoot: string, entry: string): Promise<string> {
  const result = await esbuild
    .build({
      absWorkingDir: repoRoot,
      entryPoints: [path.join(repoRoot, entry)],
      outfile: path.join(repoRoot, 'dist', `${path.basename(entry, '.ts')}.cjs`),
      bundle: true,
      write: false,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      charset: 'utf8',
      logLevel: 'silent',
      define: { ...IMPORT_META_DEFINES },
      // Order matters: the embedded proto replaces source.ts before the guard reads it.
      plugins: [embedProtoPlugin(repoRoot), guardImportMetaPlugin(repoRoot, IMPORT_META_ALLOWED)],
    })
    .catch((err: unknown) => {
      const errors = (err as { errors?: esbuild.Message[] }).errors;
      if (!errors) throw err;
      throw new UserError(`bundling ${entry} failed:\n${formatMessages(errors)}`);
    });
  if (result.warnings.length > 0) {
    throw new UserError(
      `bundling ${entry} produced warnings (each one breaks at run time):\n${formatMessages(result.warnings)}`,
    );
  }
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild wrote nothing for ${entry}`);
  return output.text;
}

function formatMessages(messages: esbuild.Message[]): string {
  return messages
    .map((m) => {
      const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
      return `  ${where}${m.text}`;
    })
    .join('\n');
}
