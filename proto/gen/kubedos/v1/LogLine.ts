// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface LogLine {
  'taskId'?: (string);
  'level'?: (string);
  'text'?: (string);
  'atMs'?: (number | string | Long);
}

export interface LogLine__Output {
  'taskId': (string);
  'level': (string);
  'text': (string);
  'atMs': (number);
}
