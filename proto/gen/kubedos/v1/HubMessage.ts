// Original file: proto/kubedos/v1/hub.proto

import type { Welcome as _kubedos_v1_Welcome, Welcome__Output as _kubedos_v1_Welcome__Output } from '../../kubedos/v1/Welcome.ts';
import type { Task as _kubedos_v1_Task, Task__Output as _kubedos_v1_Task__Output } from '../../kubedos/v1/Task.ts';
import type { CancelTask as _kubedos_v1_CancelTask, CancelTask__Output as _kubedos_v1_CancelTask__Output } from '../../kubedos/v1/CancelTask.ts';
import type { ConfigUpdate as _kubedos_v1_ConfigUpdate, ConfigUpdate__Output as _kubedos_v1_ConfigUpdate__Output } from '../../kubedos/v1/ConfigUpdate.ts';
import type { CertificateIssued as _kubedos_v1_CertificateIssued, CertificateIssued__Output as _kubedos_v1_CertificateIssued__Output } from '../../kubedos/v1/CertificateIssued.ts';
import type { HubBackupCopy as _kubedos_v1_HubBackupCopy, HubBackupCopy__Output as _kubedos_v1_HubBackupCopy__Output } from '../../kubedos/v1/HubBackupCopy.ts';

export interface HubMessage {
  'welcome'?: (_kubedos_v1_Welcome | null);
  'task'?: (_kubedos_v1_Task | null);
  'cancel'?: (_kubedos_v1_CancelTask | null);
  'config'?: (_kubedos_v1_ConfigUpdate | null);
  'certificate'?: (_kubedos_v1_CertificateIssued | null);
  'backupCopy'?: (_kubedos_v1_HubBackupCopy | null);
  'body'?: "welcome"|"task"|"cancel"|"config"|"certificate"|"backupCopy";
}

export interface HubMessage__Output {
  'welcome'?: (_kubedos_v1_Welcome__Output | null);
  'task'?: (_kubedos_v1_Task__Output | null);
  'cancel'?: (_kubedos_v1_CancelTask__Output | null);
  'config'?: (_kubedos_v1_ConfigUpdate__Output | null);
  'certificate'?: (_kubedos_v1_CertificateIssued__Output | null);
  'backupCopy'?: (_kubedos_v1_HubBackupCopy__Output | null);
  'body'?: "welcome"|"task"|"cancel"|"config"|"certificate"|"backupCopy";
}
