// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskLogLine {
  'atMs'?: (number | string | Long);
  'level'?: (string);
  'text'?: (string);
}

export interface TaskLogLine__Output {
  'atMs': (number);
  'level': (string);
  'text': (string);
}
