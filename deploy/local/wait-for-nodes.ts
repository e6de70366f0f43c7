import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { AdminConnection } from '../../hub/cli/admin-client.ts';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { UserError } from '../../shared/errors.ts';
import { nodeLines } from './node-phases.ts';
import { NodeProgressView } from './node-progress-view.ts';

/**
 * Polls the hub until every node is connected (or, given a run, until that
 * run ends), showing each node's phase. Readiness is what the hub reports,
 * never a sleep.
 */
export async function followNodes(
  hub: HubControl,
  view: NodeProgressView,
  opts: { timeoutMs: number; signal: AbortSignal; runId?: number; pollMs?: number },
): Promise<StatusResponse__Output> {
  const started = Date.now();
  for (;;) {
    if (opts.signal.aborted) throw new UserError('interrupted');
    const status = await hub.status();
    view.update(nodeLines(status, opts.runId));
    if (opts.runId === undefined) {
      const s = status.summary!;
      if (s.total > 0 && s.connected === s.total) return status;
      if (Date.now() - started > opts.timeoutMs) {
        const missing = status.nodes.filter((n) => n.state !== 'connected').map((n) => `${n.name} (${n.state})`);
        throw new UserError(
          `not every node connected within ${opts.timeoutMs / 1000}s: ${missing.join(', ')}`,
          'see the node logs in the run dir',
        );
      }
    } else if (status.convergence?.runId === opts.runId && status.convergence.state !== 'running') {
      return status;
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 300));
  }
}

/** What `up` needs of a hub: the admin socket on this host, or (qemu) hubctl inside the master VM. */
export interface HubControl {
  status(): Promise<StatusResponse__Output>;
  /** A window for these nodes only (a redeploy), or for every expected node. */
  openWindow(ttlMs: number, nodes?: string[]): Promise<void>;
  /** Closes every open window (a deploy that stops before its nodes enrolled leaves none open behind it). */
  closeWindows(): Promise<void>;
  /** Starts a real convergence run; its id. */
  startConvergence(): Promise<number>;
  close(): void;
}

/** The hub through its admin socket in hubDir. */
export function adminHubControl(hubDir: string): HubControl {
  const admin = new AdminConnection(hubDir);
  return {
    status: () => admin.call<object, StatusResponse__Output>((a) => a.Status, {}),
    openWindow: async (ttlMs, nodes = []) => {
      await admin.call<object, Window__Output>((a) => a.OpenWindow, {
        ttlSeconds: Math.round(ttlMs / 1000),
        role: '',
        nodes,
      });
    },
    closeWindows: async () => {
      await admin.call((a) => a.CloseWindow, { id: '' });
    },
    startConvergence: async () =>
      (await admin.call<object, { runId: number }>((a) => a.Converge, { dryRun: false }, 60_000)).runId,
    close: () => admin.close(),
  };
}

/**
 * What every substrate's `up` does once its hub answers: open an
 * enrollment window for every node, wait until all are connected, and
 * (unless told not to) converge and wait for the run. Returns the final
 * status and when each step ended (epoch milliseconds).
 */
export async function enrollAndConverge(
  hub: string | HubControl,
  opts: { windowTtlMs: number; timeoutMs: number; signal: AbortSignal; quiet?: boolean; converge?: boolean },
): Promise<{ status: StatusResponse__Output; connectedAt: number; convergedAt?: number }> {
  const control = typeof hub === 'string' ? adminHubControl(hub) : hub;
  const view = new NodeProgressView({ quiet: opts.quiet });
  try {
    await control.openWindow(opts.windowTtlMs);
    let status = await followNodes(control, view, opts);
    const connectedAt = Date.now();
    if (opts.converge === false) return { status, connectedAt };
    const runId = await control.startConvergence();
    status = await followNodes(control, view, { ...opts, runId });
    return { status, connectedAt, convergedAt: Date.now() };
  } finally {
    view.stop();
    control.close();
  }
}
