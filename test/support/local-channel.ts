import fs from 'node:fs';
import path from 'node:path';
import type { LogLine__Output } from '../../proto/gen/kubedos/v1/LogLine.ts';
import type { Task, Task__Output } from '../../proto/gen/kubedos/v1/Task.ts';
import type { TaskResult, TaskResult__Output } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import { executeTask } from '../../minion/tasks/execute-task.ts';
import type { Host } from '../../minion/tasks/host.ts';
import type { NodeChannel } from '../../hub/converge/node-channel.ts';
import { resultOverWire, taskOverWire } from '../../hub/converge/wire-roundtrip.ts';
import { CONTRACT_VERSION } from '../../shared/proto/contract-version.ts';

export interface LocalNode {
  name: string;
  root: string;
  connected: boolean;
  running: Map<string, AbortController>;
  /** Task names this node has started, in order (a test's view of what ran where, and how often). */
  started: string[];
}

export type TaskRunner = (node: LocalNode, task: Task__Output, signal: AbortSignal) => Promise<TaskResult>;

export interface LocalChannelOptions {
  /** Sim: journal package/service/kubernetes commands instead of running them. Default true. */
  recordCommands?: boolean;
  /** Replaces the executor (the benches give every task a fixed duration); default: the real executeTask. */
  runner?: TaskRunner;
  /** Signs certificate requests as the hub does (a node's session would carry them). */
  signCertificate?: (node: string, profile: string, csrPem: string) => Promise<string>;
  /** A host per node (the real-etcd test runs services in network namespaces). */
  hostFor?: (node: LocalNode) => Host | undefined;
}

/**
 * In-process minions: each node has its own root directory and runs the
 * real executor on every task, which crosses a protobuf encode/decode both
 * ways as it would over the session stream. Nodes can be disconnected
 * (a killed minion: its running tasks are abandoned) and reconnected.
 */
export class LocalChannel implements NodeChannel {
  readonly nodes = new Map<string, LocalNode>();
  private readonly resultCbs: Array<(node: string, r: TaskResult__Output) => void> = [];
  private readonly connectCbs: Array<(node: string) => void> = [];
  private readonly logCbs: Array<(node: string, l: LogLine__Output) => void> = [];
  private readonly opts: LocalChannelOptions;

  constructor(opts: LocalChannelOptions = {}) {
    this.opts = opts;
  }

  addNode(name: string, root: string, connected = true): LocalNode {
    fs.mkdirSync(root, { recursive: true });
    const node: LocalNode = { name, root: path.resolve(root), connected, running: new Map(), started: [] };
    this.nodes.set(name, node);
    return node;
  }

  isConnected(node: string): boolean {
    return this.nodes.get(node)?.connected ?? false;
  }

  /** The contract each in-process minion speaks: this build's, unless a test says a node is behind. */
  readonly contracts = new Map<string, number>();

  contractOf(node: string): number | undefined {
    return this.isConnected(node) ? (this.contracts.get(node) ?? CONTRACT_VERSION) : undefined;
  }

  sendTask(name: string, task: Task): boolean {
    const node = this.nodes.get(name);
    if (!node?.connected) return false;
    const wire = taskOverWire(task);
    const ac = new AbortController();
    node.running.get(wire.taskId)?.abort();
    node.running.set(wire.taskId, ac);
    node.started.push(wire.name);
    setImmediate(() => void this.execute(node, wire, ac));
    return true;
  }

  private async execute(node: LocalNode, task: Task__Output, ac: AbortController): Promise<void> {
    const runner: TaskRunner =
      this.opts.runner ??
      ((n, t, signal) =>
        executeTask(t, {
          root: n.root,
          recordCommands: this.opts.recordCommands ?? true,
          signal,
          host: this.opts.hostFor?.(n),
          ...(this.opts.signCertificate
            ? { requestCertificate: (profile: string, csr: string) => this.opts.signCertificate!(n.name, profile, csr) }
            : {}),
          log: (line) =>
            this.logCbs.forEach((cb) =>
              cb(n.name, {
                taskId: line.taskId ?? '',
                level: line.level ?? '',
                text: line.text ?? '',
                atMs: Number(line.atMs ?? 0),
              }),
            ),
        }));
    const result = await runner(node, task, ac.signal);
    // A minion killed mid-task never answers; the hub sends the task again when it reconnects.
    if (ac.signal.aborted || !node.connected || node.running.get(task.taskId) !== ac) return;
    node.running.delete(task.taskId);
    const wire = resultOverWire(result);
    for (const cb of this.resultCbs) cb(node.name, wire);
  }

  cancelTask(name: string, taskId: string): void {
    this.nodes.get(name)?.running.get(taskId)?.abort();
  }

  /** The minion process dies: running tasks are abandoned, nothing more is answered. */
  disconnect(name: string): void {
    const node = this.nodes.get(name)!;
    node.connected = false;
    for (const ac of node.running.values()) ac.abort();
    node.running.clear();
  }

  connect(name: string): void {
    this.nodes.get(name)!.connected = true;
    for (const cb of this.connectCbs) cb(name);
  }

  onResult(cb: (node: string, r: TaskResult__Output) => void): void {
    this.resultCbs.push(cb);
  }

  onConnected(cb: (node: string) => void): void {
    this.connectCbs.push(cb);
  }

  onLog(cb: (node: string, l: LogLine__Output) => void): void {
    this.logCbs.push(cb);
  }

  /** A hostile node: a log line it makes up, as its session would carry it to the hub. */
  forgeLog(node: string, line: LogLine__Output): void {
    for (const cb of this.logCbs) cb(node, line);
  }

  /** A hostile node: a result it makes up, for any task id it likes. */
  forgeResult(node: string, result: TaskResult): void {
    const wire = resultOverWire(result);
    for (const cb of this.resultCbs) cb(node, wire);
  }
}
