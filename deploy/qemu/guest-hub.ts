import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { GuestAgent } from '../../shared/guest-agent/qga-client.ts';
import { UserError } from '../../shared/errors.ts';
import { NODE_PATHS } from '../../iso-builder/node-layout.ts';
import type { HubControl } from '../local/wait-for-nodes.ts';

/** hubctl inside the master VM: the hub binary's `ctl` mode, run through the guest agent. */
export const GUEST_HUBCTL = [NODE_PATHS.hubBinary, 'ctl'];

/** Runs hubctl in the guest; its output, or a UserError with what it said. */
export async function guestHubctl(agent: GuestAgent, args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await agent.exec([...GUEST_HUBCTL, ...args], { timeoutMs });
  if (r.code !== 0) throw new UserError(`hubctl ${args.join(' ')} in the master VM: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** The hub in the master VM, for `kubedos up`: each call one hubctl run in the guest. */
export function guestHubControl(agent: GuestAgent): HubControl {
  return {
    status: async () => JSON.parse(await guestHubctl(agent, ['status', '--json'])) as StatusResponse__Output,
    openWindow: async (ttlMs) => {
      await guestHubctl(agent, ['enroll', 'open', '--ttl', `${Math.round(ttlMs / 1000)}s`, '--json']);
    },
    startConvergence: async () =>
      (JSON.parse(await guestHubctl(agent, ['converge', '--no-wait', '--json'])) as { runId: number }).runId,
    close: () => undefined,
  };
}
