// Original file: proto/kubedos/v1/hub.proto

import type { NodePlane as _kubedos_v1_NodePlane, NodePlane__Output as _kubedos_v1_NodePlane__Output } from '../../kubedos/v1/NodePlane.ts';
import type { KubeNode as _kubedos_v1_KubeNode, KubeNode__Output as _kubedos_v1_KubeNode__Output } from '../../kubedos/v1/KubeNode.ts';
import type { Long } from '@grpc/proto-loader';

export interface NodeStatus {
  'name'?: (string);
  'role'?: (string);
  'state'?: (string);
  'planes'?: (_kubedos_v1_NodePlane)[];
  'lastHeartbeatMs'?: (number | string | Long);
  'enrolledAtMs'?: (number | string | Long);
  'connectedSinceMs'?: (number | string | Long);
  'lanIp'?: (string);
  'vmid'?: (number);
  'generation'?: (number);
  'peer'?: (string);
  'kubernetes'?: (_kubedos_v1_KubeNode | null);
  'refused'?: (string)[];
  'contractVersion'?: (number);
}

export interface NodeStatus__Output {
  'name': (string);
  'role': (string);
  'state': (string);
  'planes': (_kubedos_v1_NodePlane__Output)[];
  'lastHeartbeatMs': (number);
  'enrolledAtMs': (number);
  'connectedSinceMs': (number);
  'lanIp': (string);
  'vmid': (number);
  'generation': (number);
  'peer': (string);
  'kubernetes': (_kubedos_v1_KubeNode__Output | null);
  'refused': (string)[];
  'contractVersion': (number);
}
