import { execa } from 'execa';
import { UserError } from '../../shared/errors.ts';
import type { GoToolchain } from './go-toolchain.ts';

export interface GoBuildStep {
  /** The wrapper module (go.mod + go.sum) the packages resolve in. */
  moduleDir: string;
  packages: readonly string[];
  /** A folder (several packages: each binary under its own name) or, for one package, the file. */
  output: string;
  ldflags: string;
  tags?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Flags every build uses: paths out of the binaries, the committed go.mod
 * taken as it is (never rewritten) and every module checked against go.sum,
 * no VCS stamp of the kubedos checkout, static (CGO off, as upstream builds
 * these programs, kubelet included since 1.31).
 */
export const GO_BUILD_FLAGS = ['-trimpath', '-mod=readonly', '-buildvcs=false'] as const;

export function goEnv(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  // The module cache stays deletable with rm -rf (Go makes it read-only otherwise).
  env.GOFLAGS = [env.GOFLAGS, '-modcacherw'].filter(Boolean).join(' ');
  env.CGO_ENABLED = '0';
  return env;
}

/** Downloads every module the wrapper needs, each checked against go.sum. */
export async function goDownload(tc: GoToolchain, moduleDir: string, signal?: AbortSignal): Promise<void> {
  await goRun(tc, ['mod', 'download'], moduleDir, signal);
}

export async function goBuild(tc: GoToolchain, step: GoBuildStep): Promise<void> {
  await goRun(
    tc,
    [
      'build',
      ...GO_BUILD_FLAGS,
      ...(step.tags?.length ? ['-tags', step.tags.join(',')] : []),
      '-ldflags',
      step.ldflags,
      '-o',
      step.output,
      ...step.packages,
    ],
    step.moduleDir,
    step.signal,
  );
}

async function goRun(tc: GoToolchain, args: string[], cwd: string, signal?: AbortSignal): Promise<void> {
  const r = await execa(tc.go, args, {
    cwd,
    env: tc.env,
    extendEnv: false,
    reject: false,
    all: true,
    cancelSignal: signal,
  });
  if (r.isCanceled) throw new UserError('the Kubernetes build was stopped; nothing was kept');
  if (r.exitCode === 0) return;
  throw goFailure(String(r.all ?? ''), `go ${args[0]} in ${cwd}`);
}

/** The one line an operator needs from a failed go command, and what to do. */
export function goFailure(output: string, what: string): UserError {
  const lines = output.split('\n').filter((l) => l.trim());
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  const full = find(/no space left on device/i);
  if (full)
    return new UserError(
      `${what}: the disk is full (${full.trim()})`,
      'free space where GOCACHE and GOMODCACHE live (go env GOCACHE GOMODCACHE) and build again; nothing was kept',
    );
  const mismatch = find(/checksum mismatch|SECURITY ERROR|verifying .*: /);
  if (mismatch)
    return new UserError(
      `${what}: a module does not match its hash in go.sum (${mismatch.trim()})`,
      'the proxy served other bytes than the pins were made from: do not edit go.sum; check GOPROXY, ' +
        'then "go clean -modcache" and build again',
    );
  const missingSum = find(/missing go\.sum entry/);
  if (missingSum)
    return new UserError(
      `${what}: ${missingSum.trim()}`,
      'go.mod and go.sum disagree: regenerate them together (docs/nodes.md, "Bumping the pins")',
    );
  const unserved = find(
    /unknown revision|invalid version|not found|410 Gone|404 Not Found|reading .*: .*(refused|no such host)/,
  );
  if (unserved)
    return new UserError(
      `${what}: the module proxy does not serve a pinned module (${unserved.trim()})`,
      'check the pin in iso-builder/kubernetes/pins.json and GOPROXY (go env GOPROXY)',
    );
  const tail = lines.slice(-1)[0]?.trim() ?? 'no output';
  return new UserError(`${what} failed: ${tail}`);
}
