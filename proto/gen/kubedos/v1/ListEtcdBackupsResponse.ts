// Original file: proto/kubedos/v1/hub.proto

import type { EtcdBackup as _kubedos_v1_EtcdBackup, EtcdBackup__Output as _kubedos_v1_EtcdBackup__Output } from '../../kubedos/v1/EtcdBackup.ts';

export interface ListEtcdBackupsResponse {
  'backups'?: (_kubedos_v1_EtcdBackup)[];
}

export interface ListEtcdBackupsResponse__Output {
  'backups': (_kubedos_v1_EtcdBackup__Output)[];
}
