import type { LogLine__Output } from '../../proto/gen/kubedos/v1/LogLine.ts';
import type { Task } from '../../proto/gen/kubedos/v1/Task.ts';
import type { TaskResult__Output } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import type { NodeChannel } from '../converge/node-channel.ts';
import type { SessionRegistry } from './registry.ts';

/**
 * The convergence engine's view of the live sessions. A node counts as
 * (re)connected once its Hello arrives, so the engine resends unfinished
 * work to a minion that is ready to run it.
 */
export class SessionChannel implements NodeChannel {
  readonly #registry: SessionRegistry;

  constructor(registry: SessionRegistry) {
    this.#registry = registry;
  }

  isConnected(node: string): boolean {
    return this.#registry.isConnected(node);
  }

  contractOf(node: string): number | undefined {
    return this.#registry.get(node)?.contract;
  }

  sendTask(node: string, task: Task): boolean {
    return this.#registry.send(node, { task });
  }

  cancelTask(node: string, taskId: string, reason: string): void {
    this.#registry.send(node, { cancel: { taskId, reason } });
  }

  onResult(cb: (node: string, result: TaskResult__Output) => void): void {
    this.#registry.on('message', (node, m) => {
      if (m.taskResult) cb(node, m.taskResult);
    });
  }

  onConnected(cb: (node: string) => void): void {
    this.#registry.on('message', (node, m) => {
      if (m.hello) cb(node);
    });
  }

  onLog(cb: (node: string, line: LogLine__Output) => void): void {
    this.#registry.on('message', (node, m) => {
      if (m.log) cb(node, m.log);
    });
  }
}
