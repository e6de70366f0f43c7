import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * Replaces shared/proto/source.ts, which reads the .proto from disk beside the
 * sources, with a module returning the .proto text itself, so the executable
 * needs no file beside it. The text is read at build time from the same
 * commit, so the contract in the binary is the one the sources were built for.
 */
export function embedProtoPlugin(repoRoot: string): Plugin {
  const sourceModule = path.join(repoRoot, 'shared/proto/source.ts');
  const protoFile = path.join(repoRoot, 'proto/kubedos/v1/hub.proto');
  return {
    name: 'kubedos-embed-proto',
    setup(build) {
      build.onLoad({ filter: /[\\/]shared[\\/]proto[\\/]source\.ts$/ }, (args) => {
        if (args.path !== sourceModule) return undefined;
        const text = fs.readFileSync(protoFile, 'utf8');
        return {
          contents: `export function protoSource(): string {\n  return ${JSON.stringify(text)};\n}\n`,
          loader: 'ts',
          watchFiles: [protoFile],
        };
      });
    },
  };
}
