// Original file: proto/kubedos/v1/hub.proto

import type { PlaneAssignment as _kubedos_v1_PlaneAssignment, PlaneAssignment__Output as _kubedos_v1_PlaneAssignment__Output } from '../../kubedos/v1/PlaneAssignment.ts';
import type { Long } from '@grpc/proto-loader';

export interface EnrollResponse {
  'deployment'?: (string);
  'node'?: (string);
  'role'?: (string);
  'planes'?: (_kubedos_v1_PlaneAssignment)[];
  'heartbeatIntervalMs'?: (number);
  'enrolledAtMs'?: (number | string | Long);
  'generation'?: (number);
}

export interface EnrollResponse__Output {
  'deployment': (string);
  'node': (string);
  'role': (string);
  'planes': (_kubedos_v1_PlaneAssignment__Output)[];
  'heartbeatIntervalMs': (number);
  'enrolledAtMs': (number);
  'generation': (number);
}
