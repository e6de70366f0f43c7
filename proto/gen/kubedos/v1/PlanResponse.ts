// Original file: proto/kubedos/v1/hub.proto

import type { NodePlan as _kubedos_v1_NodePlan, NodePlan__Output as _kubedos_v1_NodePlan__Output } from '../../kubedos/v1/NodePlan.ts';

export interface PlanResponse {
  'nodes'?: (_kubedos_v1_NodePlan)[];
}

export interface PlanResponse__Output {
  'nodes': (_kubedos_v1_NodePlan__Output)[];
}
