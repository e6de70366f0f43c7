// Original file: proto/kubedos/v1/hub.proto

import type { TaskLog as _kubedos_v1_TaskLog, TaskLog__Output as _kubedos_v1_TaskLog__Output } from '../../kubedos/v1/TaskLog.ts';

export interface LogsResponse {
  'tasks'?: (_kubedos_v1_TaskLog)[];
}

export interface LogsResponse__Output {
  'tasks': (_kubedos_v1_TaskLog__Output)[];
}
