// Original file: proto/kubedos/v1/hub.proto

import type { TaskStatus as _kubedos_v1_TaskStatus, TaskStatus__Output as _kubedos_v1_TaskStatus__Output } from '../../kubedos/v1/TaskStatus.ts';

export interface StateResult {
  'stateId'?: (string);
  'status'?: (_kubedos_v1_TaskStatus);
  'summary'?: (string);
  'durationMs'?: (number);
}

export interface StateResult__Output {
  'stateId': (string);
  'status': (_kubedos_v1_TaskStatus__Output);
  'summary': (string);
  'durationMs': (number);
}
