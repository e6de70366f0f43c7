import type { LogLine } from '../../proto/gen/kubedos/v1/LogLine.ts';
import type { State__Output } from '../../proto/gen/kubedos/v1/State.ts';
import type { StateResult } from '../../proto/gen/kubedos/v1/StateResult.ts';
import type { Task__Output } from '../../proto/gen/kubedos/v1/Task.ts';
import type { TaskResult } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import { errorMessage } from '../../shared/errors.ts';
import { OutputTail } from '../../shared/tasks/output-tail.ts';
import { redactSecrets } from '../../shared/tasks/redact.ts';
import { CANCELLED, CHANGED, combineStatus, FAILED, SKIPPED, UNCHANGED } from '../../shared/tasks/status.ts';
import { certificateState } from './certificate-state.ts';
import { commandState } from './command-state.ts';
import { directoryState } from './directory-state.ts';
import { etcdMemberState } from './etcd-member-state.ts';
import { etcdRestoreState } from './etcd-restore-state.ts';
import { etcdSnapshotState } from './etcd-snapshot-state.ts';
import { fileState } from './file-state.ts';
import type { Host } from './host.ts';
import { kernelModuleState } from './kernel-module-state.ts';
import { packagesState } from './packages-state.ts';
import { probeState } from './probe-state.ts';
import { RealHost } from './real-host.ts';
import { RecordingHost } from './recording-host.ts';
import { serviceState } from './service-state.ts';
import { skipped, StateError, unchanged, type StateContext, type StateOutcome } from './state-context.ts';
import { sysctlState } from './sysctl-state.ts';

export interface ExecuteContext {
  /** Every path a state names is under this directory ("/" on a real node). */
  root: string;
  /** Sim: package, service, kernel and Kubernetes commands are journaled under root, not run. */
  recordCommands: boolean;
  log: (line: LogLine) => void;
  signal: AbortSignal;
  /** Overrides the host (tests run services their own way); default from recordCommands. */
  host?: Host;
  /** How a certificate state reaches the hub: over the node's session. */
  requestCertificate?: (profile: string, csrPem: string) => Promise<string>;
}

/** The sim: a state that talks to a live cluster is journaled, not done (as probes are). */
function recorded(ctx: StateContext, tag: string, what: string): Promise<StateOutcome> {
  return ctx.host.run([tag, what.split(' ').at(-1)!]).then(() => unchanged(`${what} (recorded)`));
}

function applyState(state: State__Output, ctx: StateContext): Promise<StateOutcome> {
  if (state.unavailableInContainer && ctx.host.container)
    return Promise.resolve(skipped(`not in a container (${ctx.host.container}): ${state.unavailableInContainer}`));
  switch (state.kind) {
    case 'file':
      return fileState(state.file!, ctx);
    case 'directory':
      return directoryState(state.directory!, ctx);
    case 'packages':
      return packagesState(state.packages!, ctx);
    case 'service':
      return serviceState(state.service!, ctx);
    case 'kernelModule':
      return kernelModuleState(state.kernelModule!, ctx);
    case 'sysctl':
      return sysctlState(state.sysctl!, ctx);
    case 'command':
      return commandState(state.command!, ctx);
    case 'probe':
      return probeState(state.probe!, ctx);
    case 'certificate':
      return certificateState(state.certificate!, ctx);
    case 'etcdMember':
      if (ctx.host.simulatesProbes) return recorded(ctx, '#etcd-member', `etcd member ${state.etcdMember!.name}`);
      return etcdMemberState(state.etcdMember!, ctx);
    case 'etcdSnapshot':
      if (ctx.host.simulatesProbes)
        return recorded(ctx, '#etcd-snapshot', `etcd snapshot ${state.etcdSnapshot!.fileName}`);
      return etcdSnapshotState(state.etcdSnapshot!, ctx);
    case 'etcdRestore':
      if (ctx.host.simulatesProbes)
        return recorded(ctx, '#etcd-restore', `etcd restore ${state.etcdRestore!.restoreId}`);
      return etcdRestoreState(state.etcdRestore!, ctx);
    default:
      throw new StateError(`state ${state.id} has no kind this minion knows`, false);
  }
}

/**
 * Runs a task's states in order and reports each one changed / unchanged /
 * failed. The first failure stops the task (later states usually depend on
 * earlier ones). A dry run reports what would change and changes nothing.
 */
export async function executeTask(task: Task__Output, ectx: ExecuteContext): Promise<TaskResult> {
  const started = Date.now();
  const signal = task.timeoutMs ? AbortSignal.any([ectx.signal, AbortSignal.timeout(task.timeoutMs)]) : ectx.signal;
  const ctx: StateContext = {
    host: ectx.host ?? (ectx.recordCommands ? new RecordingHost(ectx.root, task.taskId) : new RealHost()),
    root: ectx.root,
    dryRun: task.dryRun,
    recordCommands: ectx.recordCommands,
    signal,
    tail: new OutputTail(),
    secrets: new Set(),
    ...(ectx.requestCertificate ? { requestCertificate: ectx.requestCertificate } : {}),
    log: (text) =>
      ectx.log({ taskId: task.taskId, level: 'info', text: redactSecrets(text, ctx.secrets), atMs: Date.now() }),
  };
  const states: StateResult[] = [];
  let error = '';
  let retryable = false;
  for (const state of task.states) {
    const t0 = Date.now();
    if (signal.aborted) {
      states.push({ stateId: state.id, status: CANCELLED, summary: 'not started', durationMs: 0 });
      error ||= ectx.signal.aborted ? 'cancelled' : `task timed out after ${task.timeoutMs} ms`;
      retryable = true;
      continue;
    }
    try {
      const out = await applyState(state, ctx);
      states.push({
        stateId: state.id,
        status: out.skipped ? SKIPPED : out.changed ? CHANGED : UNCHANGED,
        summary: out.summary,
        durationMs: Date.now() - t0,
      });
      if (out.changed || out.skipped) ctx.log(`${state.id}: ${out.summary}`);
    } catch (err) {
      const message = redactSecrets(errorMessage(err), ctx.secrets);
      retryable = err instanceof StateError ? err.retryable : false;
      error =
        signal.aborted && !ectx.signal.aborted
          ? `task timed out after ${task.timeoutMs} ms (${message})`
          : `${state.id}: ${message}`;
      if (signal.aborted) retryable = true;
      states.push({ stateId: state.id, status: FAILED, summary: message, durationMs: Date.now() - t0 });
      ctx.log(`${state.id} failed: ${message}`);
      break;
    }
  }
  return {
    taskId: task.taskId,
    attempt: task.attempt,
    status: error ? FAILED : combineStatus(states.map((s) => s.status as typeof CHANGED)),
    durationMs: Date.now() - started,
    states,
    outputTail: redactSecrets(ctx.tail.toString(), ctx.secrets),
    error,
    retryable,
    dryRun: task.dryRun,
  };
}
