import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../shared/errors.ts';
import { compareGoVersions } from './pins.ts';

export interface GoToolchain {
  /** The go command that runs the builds. */
  go: string;
  /** What `go env GOVERSION` says, "go" dropped ("1.26.8"): with GOTOOLCHAIN set, the toolchain it selected. */
  version: string;
  env: Record<string, string>;
}

/** Where Go's own installer puts it when it is not on PATH. */
const USUAL_GO = '/usr/local/go/bin/go';

/**
 * The Go toolchain that builds the pins: `go` on the build's PATH (or /usr/local/go),
 * new enough for the wrapper modules. GOTOOLCHAIN is honoured like any go
 * command does (an older local go can take a pinned toolchain from the
 * module proxy); the version checked is the one that will run.
 */
export async function findGoToolchain(minimum: string, env: Record<string, string>): Promise<GoToolchain> {
  const onPath = (env.PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((d) => path.join(d, 'go'))
    .find((f) => isExecutable(f));
  const go = onPath ?? (isExecutable(USUAL_GO) ? USUAL_GO : undefined);
  if (!go)
    throw new UserError(
      `no go command: building Kubernetes needs Go ${minimum} or newer`,
      'install Go (https://go.dev/doc/install puts it in /usr/local/go) or put its bin folder on PATH',
    );
  const r = await execa(go, ['env', 'GOVERSION'], { env, reject: false, all: true });
  const said = String(r.all ?? '').trim();
  if (r.exitCode !== 0)
    throw new UserError(
      `${go} env GOVERSION failed: ${said.split('\n').at(-1)}`,
      'check GOTOOLCHAIN and GOPROXY (a toolchain go must fetch comes from the module proxy)',
    );
  const version = said.replace(/^go/, '').split(/\s/)[0]!;
  if (compareGoVersions(version, minimum) < 0)
    throw new UserError(
      `${go} is Go ${version}; the Kubernetes pins need Go ${minimum} or newer`,
      `install a newer Go, or export GOTOOLCHAIN=go${minimum} and go takes that toolchain from the module proxy`,
    );
  return { go, version, env };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
