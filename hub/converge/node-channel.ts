import type { LogLine__Output } from '../../proto/gen/kubedos/v1/LogLine.ts';
import type { Task } from '../../proto/gen/kubedos/v1/Task.ts';
import type { TaskResult__Output } from '../../proto/gen/kubedos/v1/TaskResult.ts';

/**
 * The engine's only view of the nodes. The hub implements it on its session
 * registry; tests implement it with in-process minions that run the real
 * executor. Node names are topology hostnames.
 */
export interface NodeChannel {
  isConnected(node: string): boolean;
  /** Queues a task on the node's session; false when the node is not connected. */
  sendTask(node: string, task: Task): boolean;
  /** Best effort: asks the node to stop a task (its deadline passed, or it was superseded). */
  cancelTask?(node: string, taskId: string, reason: string): void;
  onResult(cb: (node: string, result: TaskResult__Output) => void): void;
  /** Called on every (re)connection, after Hello: the engine resends what the node has not finished. */
  onConnected(cb: (node: string) => void): void;
  onLog?(cb: (node: string, line: LogLine__Output) => void): void;
  /**
   * The contract version the node's minion said in this session's hello
   * (undefined before it). Without it every node counts as speaking the
   * hub's own.
   */
  contractOf?(node: string): number | undefined;
}
