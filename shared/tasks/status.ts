import type { TaskStatus__Output } from '../../proto/gen/kubedos/v1/TaskStatus.ts';

export type { TaskStatus__Output as TaskStatusName };

export const UNCHANGED: TaskStatus__Output = 'TASK_STATUS_UNCHANGED';
export const CHANGED: TaskStatus__Output = 'TASK_STATUS_CHANGED';
export const FAILED: TaskStatus__Output = 'TASK_STATUS_FAILED';
export const CANCELLED: TaskStatus__Output = 'TASK_STATUS_CANCELLED';
export const SKIPPED: TaskStatus__Output = 'TASK_STATUS_SKIPPED';

/**
 * A task's status from its states': any failure fails it, else any change
 * changes it; skipped only when every state was skipped (a skipped state
 * beside others shows in the task's summary, with its reason).
 */
export function combineStatus(statuses: readonly TaskStatus__Output[]): TaskStatus__Output {
  if (statuses.includes(FAILED)) return FAILED;
  if (statuses.includes(CANCELLED)) return CANCELLED;
  if (statuses.includes(CHANGED)) return CHANGED;
  if (statuses.length > 0 && statuses.every((s) => s === SKIPPED)) return SKIPPED;
  return UNCHANGED;
}

/** Short names for operators ("changed", "failed"). */
export function statusWord(status: string): string {
  return status.replace(/^TASK_STATUS_/, '').toLowerCase();
}
