// Original file: proto/kubedos/v1/hub.proto

import type { HubBackupInfo as _kubedos_v1_HubBackupInfo, HubBackupInfo__Output as _kubedos_v1_HubBackupInfo__Output } from '../../kubedos/v1/HubBackupInfo.ts';

export interface HubBackupResponse {
  'backup'?: (_kubedos_v1_HubBackupInfo | null);
  'data'?: (Buffer | Uint8Array | string);
}

export interface HubBackupResponse__Output {
  'backup': (_kubedos_v1_HubBackupInfo__Output | null);
  'data': (Buffer);
}
