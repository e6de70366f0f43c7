// Original file: proto/kubedos/v1/hub.proto

import type { PlannedTask as _kubedos_v1_PlannedTask, PlannedTask__Output as _kubedos_v1_PlannedTask__Output } from '../../kubedos/v1/PlannedTask.ts';

export interface NodePlan {
  'node'?: (string);
  'tasks'?: (_kubedos_v1_PlannedTask)[];
}

export interface NodePlan__Output {
  'node': (string);
  'tasks': (_kubedos_v1_PlannedTask__Output)[];
}
