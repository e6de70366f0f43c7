// Original file: proto/kubedos/v1/hub.proto

import type { Facts as _kubedos_v1_Facts, Facts__Output as _kubedos_v1_Facts__Output } from '../../kubedos/v1/Facts.ts';

export interface Hello {
  'facts'?: (_kubedos_v1_Facts | null);
  'minionVersion'?: (string);
  'unfinishedTaskIds'?: (string)[];
  'contractVersion'?: (number);
}

export interface Hello__Output {
  'facts': (_kubedos_v1_Facts__Output | null);
  'minionVersion': (string);
  'unfinishedTaskIds': (string)[];
  'contractVersion': (number);
}
