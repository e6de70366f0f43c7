// Original file: proto/kubedos/v1/hub.proto

import type { HubBackupInfo as _kubedos_v1_HubBackupInfo, HubBackupInfo__Output as _kubedos_v1_HubBackupInfo__Output } from '../../kubedos/v1/HubBackupInfo.ts';

export interface ListHubBackupsResponse {
  'backups'?: (_kubedos_v1_HubBackupInfo)[];
}

export interface ListHubBackupsResponse__Output {
  'backups': (_kubedos_v1_HubBackupInfo__Output)[];
}
