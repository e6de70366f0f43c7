import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

const LOCATES_FILES = /import\.meta\.(dirname|filename|url)\b/;

/**
 * In a CommonJS bundle import.meta is empty, and inside a single executable
 * there is no source tree to find files in anyway. esbuild's `define` maps
 * dirname/filename to the executable's location so an allowed module still
 * loads; this plugin refuses every other first-party module that looks up
 * files relative to its source, naming it, instead of a node failing later.
 */
export function guardImportMetaPlugin(repoRoot: string, allowed: Readonly<Record<string, string>>): Plugin {
  return {
    name: 'kubedos-guard-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const rel = path.relative(repoRoot, args.path);
        if (rel.startsWith('..') || rel.split(path.sep).includes('node_modules')) return undefined;
        if (rel in allowed || !LOCATES_FILES.test(fs.readFileSync(args.path, 'utf8'))) return undefined;
        return {
          errors: [
            {
              text:
                `${rel} finds files through import.meta, which the single executable does not have. ` +
                'Embed the file at build time (like scripts/sea/embed-proto.ts), or, if the executable never needs it, ' +
                'list the module with the reason in IMPORT_META_ALLOWED (scripts/sea/targets.ts).',
            },
          ],
        };
      });
    },
  };
}

/** Where an allowed module's import.meta points inside the executable: the executable itself. */
export const IMPORT_META_DEFINES: Readonly<Record<string, string>> = {
  'import.meta.dirname': '__dirname',
  'import.meta.filename': '__filename',
};
