import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { UserError } from '../../shared/errors.ts';
import { NODE_PATHS } from '../../iso-builder/node-layout.ts';
import type { HubControl } from './hub-control.ts';
import { statusKey } from '../../hub/cli/status-change.ts';
import { HUB_READY_FILE, parseHubReady, type HubReady } from '../../hub/ready-file.ts';

/** A program run in a guest and waited for: the QEMU lab's agent socket, or the Proxmox API's agent/exec. */
export interface GuestExec {
  exec(argv: string[], opts?: { timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * The hub in a VM, once it says it is ready: its readiness file in its
 * state dir, read through the guest agent, of a process that is still there
 * (a file an unclean stop left behind is not read as readiness).
 */
export async function guestHubReady(agent: GuestExec): Promise<HubReady | undefined> {
  const r = await agent.exec(['cat', `${NODE_PATHS.hubState}/${HUB_READY_FILE}`]).catch(() => undefined);
  const ready = r?.code === 0 ? parseHubReady(r.stdout) : undefined;
  if (!ready) return undefined;
  const alive = await agent.exec(['kill', '-0', String(ready.pid)]).catch(() => undefined);
  return alive?.code === 0 ? ready : undefined;
}

/** hubctl inside the master VM: the hub binary's `ctl` mode, run through the guest agent. */
export const GUEST_HUBCTL = [NODE_PATHS.hubBinary, 'ctl'];

/** Runs hubctl in the guest; its output, or a UserError with what it said. */
export async function guestHubctl(agent: GuestExec, args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await agent.exec([...GUEST_HUBCTL, ...args], { timeoutMs });
  if (r.code !== 0) throw new UserError(`hubctl ${args.join(' ')} in the master VM: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/**
 * The hub in the master VM, for `up` and `deploy`: each call one hubctl run
 * in the guest. A status after the first waits in the guest until the
 * progress changes (at most 30 s): a hubctl started every few seconds took
 * a core of emulated CPU from the VMs installing beside the master.
 */
export function guestHubControl(agent: GuestExec): HubControl {
  let seen: string | undefined;
  return {
    status: async () => {
      const wait = seen ? ['--changed-from', seen, '--wait-max', '30s'] : [];
      const s = JSON.parse(
        await guestHubctl(agent, ['status', '--json', '--no-kubernetes', ...wait], 120_000),
      ) as StatusResponse__Output & { changeKey?: string };
      seen = s.changeKey ?? statusKey(s);
      return s;
    },
    openWindow: async (ttlMs, nodes = []) => {
      await guestHubctl(agent, [
        'enroll',
        'open',
        '--ttl',
        `${Math.round(ttlMs / 1000)}s`,
        ...nodes.flatMap((n) => ['--node', n]),
        '--json',
      ]);
    },
    closeWindows: async () => {
      await guestHubctl(agent, ['enroll', 'close', '--json']);
    },
    startConvergence: async () =>
      (JSON.parse(await guestHubctl(agent, ['converge', '--no-wait', '--json'])) as { runId: number }).runId,
    close: () => undefined,
  };
}
