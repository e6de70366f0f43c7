import type { MinionConfigFile } from '../shared/identity/files.ts';
import type { Logger } from '../shared/log.ts';
import type { AgentHandlers } from './agent.ts';
import { planeHandlers } from './planes/agent-handlers.ts';
import { executeTask } from './tasks/execute-task.ts';
import { storeHubBackupCopy } from './backup-copies.ts';

/**
 * What this minion does with work from the hub, from its config: tasks
 * always; planes only when the config asks (a real node's ISO config says
 * "auto"), so a minion started on a shared machine never creates interfaces there.
 */
export function minionHandlers(config: MinionConfigFile, log: Logger): AgentHandlers {
  const root = config.root ?? '/';
  const planes =
    config.planes === undefined || config.planes === 'off'
      ? {}
      : planeHandlers({
          root,
          stateDir: config.stateDir,
          lanEndpoint: config.hub,
          log,
          ...(config.planes === 'wg-quick' || config.planes === 'wireguard-go' ? { mode: config.planes } : {}),
        });
  return {
    ...planes,
    onBackupCopy: (copy) => storeHubBackupCopy(root, copy),
    onTask: (task, signal, log, session) =>
      executeTask(task, {
        root,
        recordCommands: config.recordCommands ?? false,
        log,
        signal,
        requestCertificate: session.requestCertificate,
      }),
  };
}
