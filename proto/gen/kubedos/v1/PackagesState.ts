// Original file: proto/kubedos/v1/hub.proto

import type { AptPackage as _kubedos_v1_AptPackage, AptPackage__Output as _kubedos_v1_AptPackage__Output } from '../../kubedos/v1/AptPackage.ts';

export interface PackagesState {
  'packages'?: (_kubedos_v1_AptPackage)[];
}

export interface PackagesState__Output {
  'packages': (_kubedos_v1_AptPackage__Output)[];
}
