// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface Welcome {
  'node'?: (string);
  'heartbeatIntervalMs'?: (number);
  'serverTimeMs'?: (number | string | Long);
  'generation'?: (number);
  'contractVersion'?: (number);
}

export interface Welcome__Output {
  'node': (string);
  'heartbeatIntervalMs': (number);
  'serverTimeMs': (number);
  'generation': (number);
  'contractVersion': (number);
}
