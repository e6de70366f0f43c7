// Original file: proto/kubedos/v1/hub.proto

import type { TaskStatus as _kubedos_v1_TaskStatus, TaskStatus__Output as _kubedos_v1_TaskStatus__Output } from '../../kubedos/v1/TaskStatus.ts';
import type { StateResult as _kubedos_v1_StateResult, StateResult__Output as _kubedos_v1_StateResult__Output } from '../../kubedos/v1/StateResult.ts';

export interface TaskResult {
  'taskId'?: (string);
  'attempt'?: (number);
  'status'?: (_kubedos_v1_TaskStatus);
  'durationMs'?: (number);
  'states'?: (_kubedos_v1_StateResult)[];
  'outputTail'?: (string);
  'error'?: (string);
  'retryable'?: (boolean);
  'dryRun'?: (boolean);
}

export interface TaskResult__Output {
  'taskId': (string);
  'attempt': (number);
  'status': (_kubedos_v1_TaskStatus__Output);
  'durationMs': (number);
  'states': (_kubedos_v1_StateResult__Output)[];
  'outputTail': (string);
  'error': (string);
  'retryable': (boolean);
  'dryRun': (boolean);
}
