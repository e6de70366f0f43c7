import cliProgress from 'cli-progress';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { AdminConnection } from '../../hub/cli/admin-client.ts';
import { waitForRun } from '../../hub/cli/wait-for-run.ts';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { UserError } from '../../shared/errors.ts';

/**
 * Polls the hub until every node is connected, showing progress: a live bar
 * on a terminal, a line per change otherwise (logs, CI). Readiness is what
 * the hub reports, never a sleep.
 */
export async function waitForNodes(
  admin: AdminConnection,
  opts: { timeoutMs: number; signal: AbortSignal; quiet?: boolean },
): Promise<StatusResponse__Output> {
  const tty = process.stderr.isTTY && !opts.quiet;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: 'nodes |{bar}| {value}/{total} connected, {enrolled} enrolled, {expected} waiting  {elapsed}s',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const started = Date.now();
  let last = '';
  let status: StatusResponse__Output | undefined;
  try {
    for (;;) {
      if (opts.signal.aborted) throw new UserError('interrupted');
      status = await admin.call<object, StatusResponse__Output>((a) => a.Status, {});
      const s = status.summary!;
      const elapsed = Math.round((Date.now() - started) / 1000);
      if (bar) {
        if (!bar.isActive) bar.start(s.total, 0, { enrolled: 0, expected: s.total, elapsed });
        bar.update(s.connected, { enrolled: s.enrolled + s.connected, expected: s.expected, elapsed });
      } else if (!opts.quiet) {
        const line = `nodes: ${s.connected}/${s.total} connected, ${s.enrolled} enrolled, ${s.expected} waiting, ${s.lost} lost`;
        if (line !== last) process.stderr.write(`${line}\n`);
        last = line;
      }
      if (s.total > 0 && s.connected === s.total) return status;
      if (Date.now() - started > opts.timeoutMs) {
        const missing = status.nodes.filter((n) => n.state !== 'connected').map((n) => `${n.name} (${n.state})`);
        throw new UserError(
          `not every node connected within ${opts.timeoutMs / 1000}s: ${missing.join(', ')}`,
          'see the node logs in the run dir',
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    bar?.stop();
  }
}

/**
 * What every substrate's `up` does once its hub answers: open an
 * enrollment window for every node, wait until all are connected, and
 * (unless told not to) converge and wait for the run. Returns the final
 * status and when each step ended (epoch milliseconds).
 */
export async function enrollAndConverge(
  hubDir: string,
  opts: { windowTtlMs: number; timeoutMs: number; signal: AbortSignal; quiet?: boolean; converge?: boolean },
): Promise<{ status: StatusResponse__Output; connectedAt: number; convergedAt?: number }> {
  const admin = new AdminConnection(hubDir);
  try {
    await admin.call<object, Window__Output>((a) => a.OpenWindow, {
      ttlSeconds: Math.round(opts.windowTtlMs / 1000),
      role: '',
      nodes: [],
    });
    let status = await waitForNodes(admin, opts);
    const connectedAt = Date.now();
    if (opts.converge === false) return { status, connectedAt };
    const { runId } = await admin.call<object, { runId: number }>((a) => a.Converge, { dryRun: false }, 60_000);
    await waitForRun(admin, runId, !opts.quiet);
    const convergedAt = Date.now();
    status = await admin.call<object, StatusResponse__Output>((a) => a.Status, {});
    return { status, connectedAt, convergedAt };
  } finally {
    admin.close();
  }
}
