import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { AdminConnection } from '../../hub/cli/admin-client.ts';

/** What the pipeline needs of a hub: its admin socket on this host, or hubctl inside the master VM. */
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
