import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProbeState__Output } from '../../proto/gen/kubedos/v1/ProbeState.ts';
import { runOptions } from './command-state.ts';
import { underRoot } from './paths.ts';
import { StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';

const ATTEMPT_TIMEOUT_MS = 5_000;

/** A client certificate or key kept on the node (made there): read at each attempt. */
function fileOrUndefined(root: string, file: string): Buffer | undefined {
  return file ? fs.readFileSync(underRoot(root, file)) : undefined;
}

function tcpOnce(target: string, signal: AbortSignal): Promise<string | undefined> {
  const i = target.lastIndexOf(':');
  const host = target.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(target.slice(i + 1));
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, timeout: ATTEMPT_TIMEOUT_MS, signal });
    sock.once('connect', () => {
      sock.destroy();
      resolve(undefined);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve('connect timed out');
    });
    sock.once('error', (e) => resolve(e.message));
  });
}

function httpOnce(s: ProbeState__Output, signal: AbortSignal, root: string): Promise<string | undefined> {
  const url = new URL(s.http!);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = lib.get(
      url,
      {
        timeout: ATTEMPT_TIMEOUT_MS,
        signal,
        ca: s.caPem || undefined,
        cert: s.clientCertPem || fileOrUndefined(root, s.clientCertFile),
        key: s.clientKeyPem || fileOrUndefined(root, s.clientKeyFile),
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        const ok = s.expectStatus ? code === s.expectStatus : code >= 200 && code < 300;
        resolve(ok ? undefined : `HTTP ${code}`);
      },
    );
    req.once('timeout', () => req.destroy(new Error('request timed out')));
    req.once('error', (e) => resolve(e.message));
  });
}

/**
 * A readiness gate: retries a TCP connect, an HTTP(S) GET (with a CA and an
 * optional client certificate) or a command until it passes or the deadline
 * is reached. It never changes anything, so it reports unchanged or fails.
 */
export async function probeState(s: ProbeState__Output, ctx: StateContext): Promise<StateOutcome> {
  const target =
    s.target === 'tcp'
      ? `tcp ${s.tcp}`
      : s.target === 'http'
        ? `GET ${s.http}`
        : `command ${s.command?.argv.join(' ')}`;
  if (!s.target) throw new StateError('probe without a target', false);
  if (ctx.dryRun) return unchanged(`would wait for ${target}`);
  if (ctx.host.simulatesProbes) {
    await ctx.host.run(['#probe', target]);
    return unchanged(`${target} (recorded)`);
  }
  const deadline = Date.now() + (s.deadlineMs || 60_000);
  let attempts = 0;
  let last = '';
  while (!ctx.signal.aborted) {
    attempts++;
    if (s.target === 'tcp') last = (await tcpOnce(s.tcp!, ctx.signal)) ?? '';
    else if (s.target === 'http') last = (await httpOnce(s, ctx.signal, ctx.root)) ?? '';
    else {
      const timeoutMs = s.command!.timeoutMs || ATTEMPT_TIMEOUT_MS;
      const out = await ctx.host.run(s.command!.argv, { ...runOptions(s.command!, ctx), timeoutMs });
      last = out.timedOut
        ? `timed out after ${timeoutMs / 1000} s`
        : out.exitCode === 0
          ? ''
          : `exit status ${out.exitCode}: ${out.output.trim().split('\n').pop() ?? ''}`;
    }
    if (!last) return unchanged(`${target} ready after ${attempts} attempt(s)`);
    if (Date.now() + (s.intervalMs || 1000) > deadline) break;
    await delay(s.intervalMs || 1000, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
  ctx.tail.append(`probe ${target}: ${last}`);
  throw new StateError(`${target} not ready after ${attempts} attempt(s): ${last || 'cancelled'}`);
}
