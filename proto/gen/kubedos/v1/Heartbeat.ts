// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'seq'?: (number | string | Long);
  'sentAtMs'?: (number | string | Long);
  'load1'?: (number | string);
}

export interface Heartbeat__Output {
  'seq': (number);
  'sentAtMs': (number);
  'load1': (number);
}
