import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../shared/errors.ts';
import type { GoToolchain } from './go-toolchain.ts';

/**
 * The sandbox ("pause") program every pod holds its namespaces with, built
 * the way upstream's build/pause/Makefile does (a static C program, the
 * same CFLAGS), from the pause.c that ships in the pinned Kubernetes module:
 * the source comes from the module cache, checked by go.sum like the rest.
 */
export async function buildPause(opts: {
  tc: GoToolchain;
  kubernetesModuleDir: string;
  kubernetesVersion: string;
  pauseVersion: string;
  output: string;
}): Promise<void> {
  const dir = await execa(opts.tc.go, ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'], {
    cwd: opts.kubernetesModuleDir,
    env: opts.tc.env,
    extendEnv: false,
    reject: false,
    all: true,
  });
  const src = path.join(String(dir.stdout).trim(), 'build', 'pause', 'linux', 'pause.c');
  if (dir.exitCode !== 0 || !fs.existsSync(src))
    throw new UserError(
      `cannot find build/pause/linux/pause.c in k8s.io/kubernetes ${opts.kubernetesVersion}: ${String(dir.all ?? '').split('\n')[0]}`,
    );
  // Upstream: CFLAGS = -Os -Wall -Werror -static -DVERSION=v$(TAG)-$(REV), REV being the Kubernetes tree's version.
  const r = await execa(
    'gcc',
    [
      '-Os',
      '-Wall',
      '-Werror',
      '-static',
      `-DVERSION=v${opts.pauseVersion}-${opts.kubernetesVersion}`,
      '-o',
      opts.output,
      src,
    ],
    { reject: false, all: true, env: { LC_ALL: 'C' } },
  );
  if (r.exitCode !== 0)
    throw new UserError(
      `gcc could not build the pause program: ${
        String(r.all ?? r.message)
          .split('\n')
          .slice(-1)[0]
      }`,
      'install gcc and libc6-dev (apt-get install gcc libc6-dev)',
    );
}

/** The C compiler's version line: part of the build's cache key, since it decides pause's bytes. */
export async function gccVersion(): Promise<string> {
  const r = await execa('gcc', ['--version'], { reject: false });
  if (r.exitCode !== 0 || r.failed)
    throw new UserError('gcc is not installed: the pause image is built from C', 'apt-get install gcc libc6-dev');
  return String(r.stdout).split('\n')[0]!;
}
