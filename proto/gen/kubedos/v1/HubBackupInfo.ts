// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface HubBackupInfo {
  'name'?: (string);
  'takenAtMs'?: (number | string | Long);
  'bytes'?: (number | string | Long);
  'sha256'?: (string);
  'copiedTo'?: (string)[];
}

export interface HubBackupInfo__Output {
  'name': (string);
  'takenAtMs': (number);
  'bytes': (number);
  'sha256': (string);
  'copiedTo': (string)[];
}
