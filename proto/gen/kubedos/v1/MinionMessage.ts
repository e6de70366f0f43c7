// Original file: proto/kubedos/v1/hub.proto

import type { Hello as _kubedos_v1_Hello, Hello__Output as _kubedos_v1_Hello__Output } from '../../kubedos/v1/Hello.ts';
import type { Heartbeat as _kubedos_v1_Heartbeat, Heartbeat__Output as _kubedos_v1_Heartbeat__Output } from '../../kubedos/v1/Heartbeat.ts';
import type { TaskResult as _kubedos_v1_TaskResult, TaskResult__Output as _kubedos_v1_TaskResult__Output } from '../../kubedos/v1/TaskResult.ts';
import type { LogLine as _kubedos_v1_LogLine, LogLine__Output as _kubedos_v1_LogLine__Output } from '../../kubedos/v1/LogLine.ts';
import type { CertificateRequest as _kubedos_v1_CertificateRequest, CertificateRequest__Output as _kubedos_v1_CertificateRequest__Output } from '../../kubedos/v1/CertificateRequest.ts';
import type { HubBackupStored as _kubedos_v1_HubBackupStored, HubBackupStored__Output as _kubedos_v1_HubBackupStored__Output } from '../../kubedos/v1/HubBackupStored.ts';

export interface MinionMessage {
  'hello'?: (_kubedos_v1_Hello | null);
  'heartbeat'?: (_kubedos_v1_Heartbeat | null);
  'taskResult'?: (_kubedos_v1_TaskResult | null);
  'log'?: (_kubedos_v1_LogLine | null);
  'certificateRequest'?: (_kubedos_v1_CertificateRequest | null);
  'backupStored'?: (_kubedos_v1_HubBackupStored | null);
  'body'?: "hello"|"heartbeat"|"taskResult"|"log"|"certificateRequest"|"backupStored";
}

export interface MinionMessage__Output {
  'hello'?: (_kubedos_v1_Hello__Output | null);
  'heartbeat'?: (_kubedos_v1_Heartbeat__Output | null);
  'taskResult'?: (_kubedos_v1_TaskResult__Output | null);
  'log'?: (_kubedos_v1_LogLine__Output | null);
  'certificateRequest'?: (_kubedos_v1_CertificateRequest__Output | null);
  'backupStored'?: (_kubedos_v1_HubBackupStored__Output | null);
  'body'?: "hello"|"heartbeat"|"taskResult"|"log"|"certificateRequest"|"backupStored";
}
