// Original file: proto/kubedos/v1/hub.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelConvergenceRequest as _kubedos_v1_CancelConvergenceRequest, CancelConvergenceRequest__Output as _kubedos_v1_CancelConvergenceRequest__Output } from '../../kubedos/v1/CancelConvergenceRequest.ts';
import type { CancelConvergenceResponse as _kubedos_v1_CancelConvergenceResponse, CancelConvergenceResponse__Output as _kubedos_v1_CancelConvergenceResponse__Output } from '../../kubedos/v1/CancelConvergenceResponse.ts';
import type { CertificatesRequest as _kubedos_v1_CertificatesRequest, CertificatesRequest__Output as _kubedos_v1_CertificatesRequest__Output } from '../../kubedos/v1/CertificatesRequest.ts';
import type { CertificatesResponse as _kubedos_v1_CertificatesResponse, CertificatesResponse__Output as _kubedos_v1_CertificatesResponse__Output } from '../../kubedos/v1/CertificatesResponse.ts';
import type { CloseWindowRequest as _kubedos_v1_CloseWindowRequest, CloseWindowRequest__Output as _kubedos_v1_CloseWindowRequest__Output } from '../../kubedos/v1/CloseWindowRequest.ts';
import type { CloseWindowResponse as _kubedos_v1_CloseWindowResponse, CloseWindowResponse__Output as _kubedos_v1_CloseWindowResponse__Output } from '../../kubedos/v1/CloseWindowResponse.ts';
import type { ConvergeRequest as _kubedos_v1_ConvergeRequest, ConvergeRequest__Output as _kubedos_v1_ConvergeRequest__Output } from '../../kubedos/v1/ConvergeRequest.ts';
import type { ConvergeResponse as _kubedos_v1_ConvergeResponse, ConvergeResponse__Output as _kubedos_v1_ConvergeResponse__Output } from '../../kubedos/v1/ConvergeResponse.ts';
import type { EtcdBackupRequest as _kubedos_v1_EtcdBackupRequest, EtcdBackupRequest__Output as _kubedos_v1_EtcdBackupRequest__Output } from '../../kubedos/v1/EtcdBackupRequest.ts';
import type { EtcdBackupResponse as _kubedos_v1_EtcdBackupResponse, EtcdBackupResponse__Output as _kubedos_v1_EtcdBackupResponse__Output } from '../../kubedos/v1/EtcdBackupResponse.ts';
import type { EtcdRestoreRequest as _kubedos_v1_EtcdRestoreRequest, EtcdRestoreRequest__Output as _kubedos_v1_EtcdRestoreRequest__Output } from '../../kubedos/v1/EtcdRestoreRequest.ts';
import type { EtcdRestoreResponse as _kubedos_v1_EtcdRestoreResponse, EtcdRestoreResponse__Output as _kubedos_v1_EtcdRestoreResponse__Output } from '../../kubedos/v1/EtcdRestoreResponse.ts';
import type { HubBackupRequest as _kubedos_v1_HubBackupRequest, HubBackupRequest__Output as _kubedos_v1_HubBackupRequest__Output } from '../../kubedos/v1/HubBackupRequest.ts';
import type { HubBackupResponse as _kubedos_v1_HubBackupResponse, HubBackupResponse__Output as _kubedos_v1_HubBackupResponse__Output } from '../../kubedos/v1/HubBackupResponse.ts';
import type { IssueKubeconfigRequest as _kubedos_v1_IssueKubeconfigRequest, IssueKubeconfigRequest__Output as _kubedos_v1_IssueKubeconfigRequest__Output } from '../../kubedos/v1/IssueKubeconfigRequest.ts';
import type { IssueKubeconfigResponse as _kubedos_v1_IssueKubeconfigResponse, IssueKubeconfigResponse__Output as _kubedos_v1_IssueKubeconfigResponse__Output } from '../../kubedos/v1/IssueKubeconfigResponse.ts';
import type { ListEtcdBackupsRequest as _kubedos_v1_ListEtcdBackupsRequest, ListEtcdBackupsRequest__Output as _kubedos_v1_ListEtcdBackupsRequest__Output } from '../../kubedos/v1/ListEtcdBackupsRequest.ts';
import type { ListEtcdBackupsResponse as _kubedos_v1_ListEtcdBackupsResponse, ListEtcdBackupsResponse__Output as _kubedos_v1_ListEtcdBackupsResponse__Output } from '../../kubedos/v1/ListEtcdBackupsResponse.ts';
import type { ListHubBackupsRequest as _kubedos_v1_ListHubBackupsRequest, ListHubBackupsRequest__Output as _kubedos_v1_ListHubBackupsRequest__Output } from '../../kubedos/v1/ListHubBackupsRequest.ts';
import type { ListHubBackupsResponse as _kubedos_v1_ListHubBackupsResponse, ListHubBackupsResponse__Output as _kubedos_v1_ListHubBackupsResponse__Output } from '../../kubedos/v1/ListHubBackupsResponse.ts';
import type { ListWindowsRequest as _kubedos_v1_ListWindowsRequest, ListWindowsRequest__Output as _kubedos_v1_ListWindowsRequest__Output } from '../../kubedos/v1/ListWindowsRequest.ts';
import type { ListWindowsResponse as _kubedos_v1_ListWindowsResponse, ListWindowsResponse__Output as _kubedos_v1_ListWindowsResponse__Output } from '../../kubedos/v1/ListWindowsResponse.ts';
import type { LogsRequest as _kubedos_v1_LogsRequest, LogsRequest__Output as _kubedos_v1_LogsRequest__Output } from '../../kubedos/v1/LogsRequest.ts';
import type { LogsResponse as _kubedos_v1_LogsResponse, LogsResponse__Output as _kubedos_v1_LogsResponse__Output } from '../../kubedos/v1/LogsResponse.ts';
import type { OpenWindowRequest as _kubedos_v1_OpenWindowRequest, OpenWindowRequest__Output as _kubedos_v1_OpenWindowRequest__Output } from '../../kubedos/v1/OpenWindowRequest.ts';
import type { PlanRequest as _kubedos_v1_PlanRequest, PlanRequest__Output as _kubedos_v1_PlanRequest__Output } from '../../kubedos/v1/PlanRequest.ts';
import type { PlanResponse as _kubedos_v1_PlanResponse, PlanResponse__Output as _kubedos_v1_PlanResponse__Output } from '../../kubedos/v1/PlanResponse.ts';
import type { ReplaceNodeRequest as _kubedos_v1_ReplaceNodeRequest, ReplaceNodeRequest__Output as _kubedos_v1_ReplaceNodeRequest__Output } from '../../kubedos/v1/ReplaceNodeRequest.ts';
import type { ReplaceNodeResponse as _kubedos_v1_ReplaceNodeResponse, ReplaceNodeResponse__Output as _kubedos_v1_ReplaceNodeResponse__Output } from '../../kubedos/v1/ReplaceNodeResponse.ts';
import type { RerunRequest as _kubedos_v1_RerunRequest, RerunRequest__Output as _kubedos_v1_RerunRequest__Output } from '../../kubedos/v1/RerunRequest.ts';
import type { RerunResponse as _kubedos_v1_RerunResponse, RerunResponse__Output as _kubedos_v1_RerunResponse__Output } from '../../kubedos/v1/RerunResponse.ts';
import type { StatusRequest as _kubedos_v1_StatusRequest, StatusRequest__Output as _kubedos_v1_StatusRequest__Output } from '../../kubedos/v1/StatusRequest.ts';
import type { StatusResponse as _kubedos_v1_StatusResponse, StatusResponse__Output as _kubedos_v1_StatusResponse__Output } from '../../kubedos/v1/StatusResponse.ts';
import type { Window as _kubedos_v1_Window, Window__Output as _kubedos_v1_Window__Output } from '../../kubedos/v1/Window.ts';

export interface AdminClient extends grpc.Client {
  CancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  CancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  CancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  CancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  cancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  cancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  cancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  cancelConvergence(argument: _kubedos_v1_CancelConvergenceRequest, callback: grpc.requestCallback<_kubedos_v1_CancelConvergenceResponse__Output>): grpc.ClientUnaryCall;
  
  Certificates(argument: _kubedos_v1_CertificatesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  Certificates(argument: _kubedos_v1_CertificatesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  Certificates(argument: _kubedos_v1_CertificatesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  Certificates(argument: _kubedos_v1_CertificatesRequest, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  certificates(argument: _kubedos_v1_CertificatesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  certificates(argument: _kubedos_v1_CertificatesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  certificates(argument: _kubedos_v1_CertificatesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  certificates(argument: _kubedos_v1_CertificatesRequest, callback: grpc.requestCallback<_kubedos_v1_CertificatesResponse__Output>): grpc.ClientUnaryCall;
  
  CloseWindow(argument: _kubedos_v1_CloseWindowRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  CloseWindow(argument: _kubedos_v1_CloseWindowRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  CloseWindow(argument: _kubedos_v1_CloseWindowRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  CloseWindow(argument: _kubedos_v1_CloseWindowRequest, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  closeWindow(argument: _kubedos_v1_CloseWindowRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  closeWindow(argument: _kubedos_v1_CloseWindowRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  closeWindow(argument: _kubedos_v1_CloseWindowRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  closeWindow(argument: _kubedos_v1_CloseWindowRequest, callback: grpc.requestCallback<_kubedos_v1_CloseWindowResponse__Output>): grpc.ClientUnaryCall;
  
  Converge(argument: _kubedos_v1_ConvergeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  Converge(argument: _kubedos_v1_ConvergeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  Converge(argument: _kubedos_v1_ConvergeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  Converge(argument: _kubedos_v1_ConvergeRequest, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  converge(argument: _kubedos_v1_ConvergeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  converge(argument: _kubedos_v1_ConvergeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  converge(argument: _kubedos_v1_ConvergeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  converge(argument: _kubedos_v1_ConvergeRequest, callback: grpc.requestCallback<_kubedos_v1_ConvergeResponse__Output>): grpc.ClientUnaryCall;
  
  EtcdBackup(argument: _kubedos_v1_EtcdBackupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  EtcdBackup(argument: _kubedos_v1_EtcdBackupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  EtcdBackup(argument: _kubedos_v1_EtcdBackupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  EtcdBackup(argument: _kubedos_v1_EtcdBackupRequest, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  etcdBackup(argument: _kubedos_v1_EtcdBackupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  etcdBackup(argument: _kubedos_v1_EtcdBackupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  etcdBackup(argument: _kubedos_v1_EtcdBackupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  etcdBackup(argument: _kubedos_v1_EtcdBackupRequest, callback: grpc.requestCallback<_kubedos_v1_EtcdBackupResponse__Output>): grpc.ClientUnaryCall;
  
  EtcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  EtcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  EtcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  EtcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  etcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  etcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  etcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  etcdRestore(argument: _kubedos_v1_EtcdRestoreRequest, callback: grpc.requestCallback<_kubedos_v1_EtcdRestoreResponse__Output>): grpc.ClientUnaryCall;
  
  HubBackup(argument: _kubedos_v1_HubBackupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  HubBackup(argument: _kubedos_v1_HubBackupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  HubBackup(argument: _kubedos_v1_HubBackupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  HubBackup(argument: _kubedos_v1_HubBackupRequest, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  hubBackup(argument: _kubedos_v1_HubBackupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  hubBackup(argument: _kubedos_v1_HubBackupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  hubBackup(argument: _kubedos_v1_HubBackupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  hubBackup(argument: _kubedos_v1_HubBackupRequest, callback: grpc.requestCallback<_kubedos_v1_HubBackupResponse__Output>): grpc.ClientUnaryCall;
  
  IssueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  IssueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  IssueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  IssueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  issueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  issueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  issueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  issueKubeconfig(argument: _kubedos_v1_IssueKubeconfigRequest, callback: grpc.requestCallback<_kubedos_v1_IssueKubeconfigResponse__Output>): grpc.ClientUnaryCall;
  
  ListEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  listEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  listEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  listEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  listEtcdBackups(argument: _kubedos_v1_ListEtcdBackupsRequest, callback: grpc.requestCallback<_kubedos_v1_ListEtcdBackupsResponse__Output>): grpc.ClientUnaryCall;
  
  ListHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  ListHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  listHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  listHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  listHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  listHubBackups(argument: _kubedos_v1_ListHubBackupsRequest, callback: grpc.requestCallback<_kubedos_v1_ListHubBackupsResponse__Output>): grpc.ClientUnaryCall;
  
  ListWindows(argument: _kubedos_v1_ListWindowsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  ListWindows(argument: _kubedos_v1_ListWindowsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  ListWindows(argument: _kubedos_v1_ListWindowsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  ListWindows(argument: _kubedos_v1_ListWindowsRequest, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  listWindows(argument: _kubedos_v1_ListWindowsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  listWindows(argument: _kubedos_v1_ListWindowsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  listWindows(argument: _kubedos_v1_ListWindowsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  listWindows(argument: _kubedos_v1_ListWindowsRequest, callback: grpc.requestCallback<_kubedos_v1_ListWindowsResponse__Output>): grpc.ClientUnaryCall;
  
  Logs(argument: _kubedos_v1_LogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  Logs(argument: _kubedos_v1_LogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  Logs(argument: _kubedos_v1_LogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  Logs(argument: _kubedos_v1_LogsRequest, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  logs(argument: _kubedos_v1_LogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  logs(argument: _kubedos_v1_LogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  logs(argument: _kubedos_v1_LogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  logs(argument: _kubedos_v1_LogsRequest, callback: grpc.requestCallback<_kubedos_v1_LogsResponse__Output>): grpc.ClientUnaryCall;
  
  OpenWindow(argument: _kubedos_v1_OpenWindowRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  OpenWindow(argument: _kubedos_v1_OpenWindowRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  OpenWindow(argument: _kubedos_v1_OpenWindowRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  OpenWindow(argument: _kubedos_v1_OpenWindowRequest, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  openWindow(argument: _kubedos_v1_OpenWindowRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  openWindow(argument: _kubedos_v1_OpenWindowRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  openWindow(argument: _kubedos_v1_OpenWindowRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  openWindow(argument: _kubedos_v1_OpenWindowRequest, callback: grpc.requestCallback<_kubedos_v1_Window__Output>): grpc.ClientUnaryCall;
  
  Plan(argument: _kubedos_v1_PlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  Plan(argument: _kubedos_v1_PlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  Plan(argument: _kubedos_v1_PlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  Plan(argument: _kubedos_v1_PlanRequest, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _kubedos_v1_PlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _kubedos_v1_PlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _kubedos_v1_PlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  plan(argument: _kubedos_v1_PlanRequest, callback: grpc.requestCallback<_kubedos_v1_PlanResponse__Output>): grpc.ClientUnaryCall;
  
  ReplaceNode(argument: _kubedos_v1_ReplaceNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  ReplaceNode(argument: _kubedos_v1_ReplaceNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  ReplaceNode(argument: _kubedos_v1_ReplaceNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  ReplaceNode(argument: _kubedos_v1_ReplaceNodeRequest, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  replaceNode(argument: _kubedos_v1_ReplaceNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  replaceNode(argument: _kubedos_v1_ReplaceNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  replaceNode(argument: _kubedos_v1_ReplaceNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  replaceNode(argument: _kubedos_v1_ReplaceNodeRequest, callback: grpc.requestCallback<_kubedos_v1_ReplaceNodeResponse__Output>): grpc.ClientUnaryCall;
  
  Rerun(argument: _kubedos_v1_RerunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  Rerun(argument: _kubedos_v1_RerunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  Rerun(argument: _kubedos_v1_RerunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  Rerun(argument: _kubedos_v1_RerunRequest, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  rerun(argument: _kubedos_v1_RerunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  rerun(argument: _kubedos_v1_RerunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  rerun(argument: _kubedos_v1_RerunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  rerun(argument: _kubedos_v1_RerunRequest, callback: grpc.requestCallback<_kubedos_v1_RerunResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _kubedos_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _kubedos_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _kubedos_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _kubedos_v1_StatusRequest, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _kubedos_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _kubedos_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _kubedos_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _kubedos_v1_StatusRequest, callback: grpc.requestCallback<_kubedos_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AdminHandlers extends grpc.UntypedServiceImplementation {
  CancelConvergence: grpc.handleUnaryCall<_kubedos_v1_CancelConvergenceRequest__Output, _kubedos_v1_CancelConvergenceResponse>;
  
  Certificates: grpc.handleUnaryCall<_kubedos_v1_CertificatesRequest__Output, _kubedos_v1_CertificatesResponse>;
  
  CloseWindow: grpc.handleUnaryCall<_kubedos_v1_CloseWindowRequest__Output, _kubedos_v1_CloseWindowResponse>;
  
  Converge: grpc.handleUnaryCall<_kubedos_v1_ConvergeRequest__Output, _kubedos_v1_ConvergeResponse>;
  
  EtcdBackup: grpc.handleUnaryCall<_kubedos_v1_EtcdBackupRequest__Output, _kubedos_v1_EtcdBackupResponse>;
  
  EtcdRestore: grpc.handleUnaryCall<_kubedos_v1_EtcdRestoreRequest__Output, _kubedos_v1_EtcdRestoreResponse>;
  
  HubBackup: grpc.handleUnaryCall<_kubedos_v1_HubBackupRequest__Output, _kubedos_v1_HubBackupResponse>;
  
  IssueKubeconfig: grpc.handleUnaryCall<_kubedos_v1_IssueKubeconfigRequest__Output, _kubedos_v1_IssueKubeconfigResponse>;
  
  ListEtcdBackups: grpc.handleUnaryCall<_kubedos_v1_ListEtcdBackupsRequest__Output, _kubedos_v1_ListEtcdBackupsResponse>;
  
  ListHubBackups: grpc.handleUnaryCall<_kubedos_v1_ListHubBackupsRequest__Output, _kubedos_v1_ListHubBackupsResponse>;
  
  ListWindows: grpc.handleUnaryCall<_kubedos_v1_ListWindowsRequest__Output, _kubedos_v1_ListWindowsResponse>;
  
  Logs: grpc.handleUnaryCall<_kubedos_v1_LogsRequest__Output, _kubedos_v1_LogsResponse>;
  
  OpenWindow: grpc.handleUnaryCall<_kubedos_v1_OpenWindowRequest__Output, _kubedos_v1_Window>;
  
  Plan: grpc.handleUnaryCall<_kubedos_v1_PlanRequest__Output, _kubedos_v1_PlanResponse>;
  
  ReplaceNode: grpc.handleUnaryCall<_kubedos_v1_ReplaceNodeRequest__Output, _kubedos_v1_ReplaceNodeResponse>;
  
  Rerun: grpc.handleUnaryCall<_kubedos_v1_RerunRequest__Output, _kubedos_v1_RerunResponse>;
  
  Status: grpc.handleUnaryCall<_kubedos_v1_StatusRequest__Output, _kubedos_v1_StatusResponse>;
  
}

export interface AdminDefinition extends grpc.ServiceDefinition {
  CancelConvergence: MethodDefinition<_kubedos_v1_CancelConvergenceRequest, _kubedos_v1_CancelConvergenceResponse, _kubedos_v1_CancelConvergenceRequest__Output, _kubedos_v1_CancelConvergenceResponse__Output>
  Certificates: MethodDefinition<_kubedos_v1_CertificatesRequest, _kubedos_v1_CertificatesResponse, _kubedos_v1_CertificatesRequest__Output, _kubedos_v1_CertificatesResponse__Output>
  CloseWindow: MethodDefinition<_kubedos_v1_CloseWindowRequest, _kubedos_v1_CloseWindowResponse, _kubedos_v1_CloseWindowRequest__Output, _kubedos_v1_CloseWindowResponse__Output>
  Converge: MethodDefinition<_kubedos_v1_ConvergeRequest, _kubedos_v1_ConvergeResponse, _kubedos_v1_ConvergeRequest__Output, _kubedos_v1_ConvergeResponse__Output>
  EtcdBackup: MethodDefinition<_kubedos_v1_EtcdBackupRequest, _kubedos_v1_EtcdBackupResponse, _kubedos_v1_EtcdBackupRequest__Output, _kubedos_v1_EtcdBackupResponse__Output>
  EtcdRestore: MethodDefinition<_kubedos_v1_EtcdRestoreRequest, _kubedos_v1_EtcdRestoreResponse, _kubedos_v1_EtcdRestoreRequest__Output, _kubedos_v1_EtcdRestoreResponse__Output>
  HubBackup: MethodDefinition<_kubedos_v1_HubBackupRequest, _kubedos_v1_HubBackupResponse, _kubedos_v1_HubBackupRequest__Output, _kubedos_v1_HubBackupResponse__Output>
  IssueKubeconfig: MethodDefinition<_kubedos_v1_IssueKubeconfigRequest, _kubedos_v1_IssueKubeconfigResponse, _kubedos_v1_IssueKubeconfigRequest__Output, _kubedos_v1_IssueKubeconfigResponse__Output>
  ListEtcdBackups: MethodDefinition<_kubedos_v1_ListEtcdBackupsRequest, _kubedos_v1_ListEtcdBackupsResponse, _kubedos_v1_ListEtcdBackupsRequest__Output, _kubedos_v1_ListEtcdBackupsResponse__Output>
  ListHubBackups: MethodDefinition<_kubedos_v1_ListHubBackupsRequest, _kubedos_v1_ListHubBackupsResponse, _kubedos_v1_ListHubBackupsRequest__Output, _kubedos_v1_ListHubBackupsResponse__Output>
  ListWindows: MethodDefinition<_kubedos_v1_ListWindowsRequest, _kubedos_v1_ListWindowsResponse, _kubedos_v1_ListWindowsRequest__Output, _kubedos_v1_ListWindowsResponse__Output>
  Logs: MethodDefinition<_kubedos_v1_LogsRequest, _kubedos_v1_LogsResponse, _kubedos_v1_LogsRequest__Output, _kubedos_v1_LogsResponse__Output>
  OpenWindow: MethodDefinition<_kubedos_v1_OpenWindowRequest, _kubedos_v1_Window, _kubedos_v1_OpenWindowRequest__Output, _kubedos_v1_Window__Output>
  Plan: MethodDefinition<_kubedos_v1_PlanRequest, _kubedos_v1_PlanResponse, _kubedos_v1_PlanRequest__Output, _kubedos_v1_PlanResponse__Output>
  ReplaceNode: MethodDefinition<_kubedos_v1_ReplaceNodeRequest, _kubedos_v1_ReplaceNodeResponse, _kubedos_v1_ReplaceNodeRequest__Output, _kubedos_v1_ReplaceNodeResponse__Output>
  Rerun: MethodDefinition<_kubedos_v1_RerunRequest, _kubedos_v1_RerunResponse, _kubedos_v1_RerunRequest__Output, _kubedos_v1_RerunResponse__Output>
  Status: MethodDefinition<_kubedos_v1_StatusRequest, _kubedos_v1_StatusResponse, _kubedos_v1_StatusRequest__Output, _kubedos_v1_StatusResponse__Output>
}
