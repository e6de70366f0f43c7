// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface EtcdBackup {
  'name'?: (string);
  'node'?: (string);
  'path'?: (string);
  'takenAtMs'?: (number | string | Long);
  'summary'?: (string);
}

export interface EtcdBackup__Output {
  'name': (string);
  'node': (string);
  'path': (string);
  'takenAtMs': (number);
  'summary': (string);
}
