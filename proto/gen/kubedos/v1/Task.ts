// Original file: proto/kubedos/v1/hub.proto

import type { State as _kubedos_v1_State, State__Output as _kubedos_v1_State__Output } from '../../kubedos/v1/State.ts';

export interface Task {
  'taskId'?: (string);
  'name'?: (string);
  'attempt'?: (number);
  'states'?: (_kubedos_v1_State)[];
  'timeoutMs'?: (number);
  'dryRun'?: (boolean);
}

export interface Task__Output {
  'taskId': (string);
  'name': (string);
  'attempt': (number);
  'states': (_kubedos_v1_State__Output)[];
  'timeoutMs': (number);
  'dryRun': (boolean);
}
