// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface Facts {
  'hostname'?: (string);
  'os'?: (string);
  'kernel'?: (string);
  'arch'?: (string);
  'cpus'?: (number);
  'memoryBytes'?: (number | string | Long);
  'smbiosUuid'?: (string);
  'smbiosSerial'?: (string);
  'addresses'?: (string)[];
  'minionVersion'?: (string);
}

export interface Facts__Output {
  'hostname': (string);
  'os': (string);
  'kernel': (string);
  'arch': (string);
  'cpus': (number);
  'memoryBytes': (number);
  'smbiosUuid': (string);
  'smbiosSerial': (string);
  'addresses': (string)[];
  'minionVersion': (string);
}
