// Original file: proto/kubedos/v1/hub.proto

import type { NetInterface as _kubedos_v1_NetInterface, NetInterface__Output as _kubedos_v1_NetInterface__Output } from '../../kubedos/v1/NetInterface.ts';
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
  'interfaces'?: (_kubedos_v1_NetInterface)[];
  'container'?: (string);
  'cgroup'?: (string);
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
  'interfaces': (_kubedos_v1_NetInterface__Output)[];
  'container': (string);
  'cgroup': (string);
}
