// Original file: proto/kubedos/v1/hub.proto

import type { TaskLogLine as _kubedos_v1_TaskLogLine, TaskLogLine__Output as _kubedos_v1_TaskLogLine__Output } from '../../kubedos/v1/TaskLogLine.ts';

export interface TaskLog {
  'task'?: (string);
  'state'?: (string);
  'status'?: (string);
  'attempt'?: (number);
  'summary'?: (string);
  'error'?: (string);
  'outputTail'?: (string);
  'lines'?: (_kubedos_v1_TaskLogLine)[];
}

export interface TaskLog__Output {
  'task': (string);
  'state': (string);
  'status': (string);
  'attempt': (number);
  'summary': (string);
  'error': (string);
  'outputTail': (string);
  'lines': (_kubedos_v1_TaskLogLine__Output)[];
}
