import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdminClient as _kubedos_v1_AdminClient, AdminDefinition as _kubedos_v1_AdminDefinition } from './kubedos/v1/Admin.ts';
import type { AgentClient as _kubedos_v1_AgentClient, AgentDefinition as _kubedos_v1_AgentDefinition } from './kubedos/v1/Agent.ts';
import type { AptPackage as _kubedos_v1_AptPackage, AptPackage__Output as _kubedos_v1_AptPackage__Output } from './kubedos/v1/AptPackage.ts';
import type { CancelConvergenceRequest as _kubedos_v1_CancelConvergenceRequest, CancelConvergenceRequest__Output as _kubedos_v1_CancelConvergenceRequest__Output } from './kubedos/v1/CancelConvergenceRequest.ts';
import type { CancelConvergenceResponse as _kubedos_v1_CancelConvergenceResponse, CancelConvergenceResponse__Output as _kubedos_v1_CancelConvergenceResponse__Output } from './kubedos/v1/CancelConvergenceResponse.ts';
import type { CancelTask as _kubedos_v1_CancelTask, CancelTask__Output as _kubedos_v1_CancelTask__Output } from './kubedos/v1/CancelTask.ts';
import type { CertificateInfo as _kubedos_v1_CertificateInfo, CertificateInfo__Output as _kubedos_v1_CertificateInfo__Output } from './kubedos/v1/CertificateInfo.ts';
import type { CertificateIssued as _kubedos_v1_CertificateIssued, CertificateIssued__Output as _kubedos_v1_CertificateIssued__Output } from './kubedos/v1/CertificateIssued.ts';
import type { CertificateRequest as _kubedos_v1_CertificateRequest, CertificateRequest__Output as _kubedos_v1_CertificateRequest__Output } from './kubedos/v1/CertificateRequest.ts';
import type { CertificateState as _kubedos_v1_CertificateState, CertificateState__Output as _kubedos_v1_CertificateState__Output } from './kubedos/v1/CertificateState.ts';
import type { CertificatesRequest as _kubedos_v1_CertificatesRequest, CertificatesRequest__Output as _kubedos_v1_CertificatesRequest__Output } from './kubedos/v1/CertificatesRequest.ts';
import type { CertificatesResponse as _kubedos_v1_CertificatesResponse, CertificatesResponse__Output as _kubedos_v1_CertificatesResponse__Output } from './kubedos/v1/CertificatesResponse.ts';
import type { CloseWindowRequest as _kubedos_v1_CloseWindowRequest, CloseWindowRequest__Output as _kubedos_v1_CloseWindowRequest__Output } from './kubedos/v1/CloseWindowRequest.ts';
import type { CloseWindowResponse as _kubedos_v1_CloseWindowResponse, CloseWindowResponse__Output as _kubedos_v1_CloseWindowResponse__Output } from './kubedos/v1/CloseWindowResponse.ts';
import type { CommandState as _kubedos_v1_CommandState, CommandState__Output as _kubedos_v1_CommandState__Output } from './kubedos/v1/CommandState.ts';
import type { ConfigUpdate as _kubedos_v1_ConfigUpdate, ConfigUpdate__Output as _kubedos_v1_ConfigUpdate__Output } from './kubedos/v1/ConfigUpdate.ts';
import type { ConvergeCounts as _kubedos_v1_ConvergeCounts, ConvergeCounts__Output as _kubedos_v1_ConvergeCounts__Output } from './kubedos/v1/ConvergeCounts.ts';
import type { ConvergeRequest as _kubedos_v1_ConvergeRequest, ConvergeRequest__Output as _kubedos_v1_ConvergeRequest__Output } from './kubedos/v1/ConvergeRequest.ts';
import type { ConvergeResponse as _kubedos_v1_ConvergeResponse, ConvergeResponse__Output as _kubedos_v1_ConvergeResponse__Output } from './kubedos/v1/ConvergeResponse.ts';
import type { Convergence as _kubedos_v1_Convergence, Convergence__Output as _kubedos_v1_Convergence__Output } from './kubedos/v1/Convergence.ts';
import type { DirectoryState as _kubedos_v1_DirectoryState, DirectoryState__Output as _kubedos_v1_DirectoryState__Output } from './kubedos/v1/DirectoryState.ts';
import type { EnrollPayload as _kubedos_v1_EnrollPayload, EnrollPayload__Output as _kubedos_v1_EnrollPayload__Output } from './kubedos/v1/EnrollPayload.ts';
import type { EnrollRequest as _kubedos_v1_EnrollRequest, EnrollRequest__Output as _kubedos_v1_EnrollRequest__Output } from './kubedos/v1/EnrollRequest.ts';
import type { EnrollResponse as _kubedos_v1_EnrollResponse, EnrollResponse__Output as _kubedos_v1_EnrollResponse__Output } from './kubedos/v1/EnrollResponse.ts';
import type { EnrollmentClient as _kubedos_v1_EnrollmentClient, EnrollmentDefinition as _kubedos_v1_EnrollmentDefinition } from './kubedos/v1/Enrollment.ts';
import type { EtcdBackup as _kubedos_v1_EtcdBackup, EtcdBackup__Output as _kubedos_v1_EtcdBackup__Output } from './kubedos/v1/EtcdBackup.ts';
import type { EtcdBackupRequest as _kubedos_v1_EtcdBackupRequest, EtcdBackupRequest__Output as _kubedos_v1_EtcdBackupRequest__Output } from './kubedos/v1/EtcdBackupRequest.ts';
import type { EtcdBackupResponse as _kubedos_v1_EtcdBackupResponse, EtcdBackupResponse__Output as _kubedos_v1_EtcdBackupResponse__Output } from './kubedos/v1/EtcdBackupResponse.ts';
import type { EtcdMemberState as _kubedos_v1_EtcdMemberState, EtcdMemberState__Output as _kubedos_v1_EtcdMemberState__Output } from './kubedos/v1/EtcdMemberState.ts';
import type { EtcdRestoreRequest as _kubedos_v1_EtcdRestoreRequest, EtcdRestoreRequest__Output as _kubedos_v1_EtcdRestoreRequest__Output } from './kubedos/v1/EtcdRestoreRequest.ts';
import type { EtcdRestoreResponse as _kubedos_v1_EtcdRestoreResponse, EtcdRestoreResponse__Output as _kubedos_v1_EtcdRestoreResponse__Output } from './kubedos/v1/EtcdRestoreResponse.ts';
import type { EtcdRestoreState as _kubedos_v1_EtcdRestoreState, EtcdRestoreState__Output as _kubedos_v1_EtcdRestoreState__Output } from './kubedos/v1/EtcdRestoreState.ts';
import type { EtcdSnapshotState as _kubedos_v1_EtcdSnapshotState, EtcdSnapshotState__Output as _kubedos_v1_EtcdSnapshotState__Output } from './kubedos/v1/EtcdSnapshotState.ts';
import type { Facts as _kubedos_v1_Facts, Facts__Output as _kubedos_v1_Facts__Output } from './kubedos/v1/Facts.ts';
import type { FileState as _kubedos_v1_FileState, FileState__Output as _kubedos_v1_FileState__Output } from './kubedos/v1/FileState.ts';
import type { Heartbeat as _kubedos_v1_Heartbeat, Heartbeat__Output as _kubedos_v1_Heartbeat__Output } from './kubedos/v1/Heartbeat.ts';
import type { Hello as _kubedos_v1_Hello, Hello__Output as _kubedos_v1_Hello__Output } from './kubedos/v1/Hello.ts';
import type { HubBackupCopy as _kubedos_v1_HubBackupCopy, HubBackupCopy__Output as _kubedos_v1_HubBackupCopy__Output } from './kubedos/v1/HubBackupCopy.ts';
import type { HubBackupInfo as _kubedos_v1_HubBackupInfo, HubBackupInfo__Output as _kubedos_v1_HubBackupInfo__Output } from './kubedos/v1/HubBackupInfo.ts';
import type { HubBackupRequest as _kubedos_v1_HubBackupRequest, HubBackupRequest__Output as _kubedos_v1_HubBackupRequest__Output } from './kubedos/v1/HubBackupRequest.ts';
import type { HubBackupResponse as _kubedos_v1_HubBackupResponse, HubBackupResponse__Output as _kubedos_v1_HubBackupResponse__Output } from './kubedos/v1/HubBackupResponse.ts';
import type { HubBackupStored as _kubedos_v1_HubBackupStored, HubBackupStored__Output as _kubedos_v1_HubBackupStored__Output } from './kubedos/v1/HubBackupStored.ts';
import type { HubMessage as _kubedos_v1_HubMessage, HubMessage__Output as _kubedos_v1_HubMessage__Output } from './kubedos/v1/HubMessage.ts';
import type { IssueKubeconfigRequest as _kubedos_v1_IssueKubeconfigRequest, IssueKubeconfigRequest__Output as _kubedos_v1_IssueKubeconfigRequest__Output } from './kubedos/v1/IssueKubeconfigRequest.ts';
import type { IssueKubeconfigResponse as _kubedos_v1_IssueKubeconfigResponse, IssueKubeconfigResponse__Output as _kubedos_v1_IssueKubeconfigResponse__Output } from './kubedos/v1/IssueKubeconfigResponse.ts';
import type { KernelModuleState as _kubedos_v1_KernelModuleState, KernelModuleState__Output as _kubedos_v1_KernelModuleState__Output } from './kubedos/v1/KernelModuleState.ts';
import type { KubeNode as _kubedos_v1_KubeNode, KubeNode__Output as _kubedos_v1_KubeNode__Output } from './kubedos/v1/KubeNode.ts';
import type { ListEtcdBackupsRequest as _kubedos_v1_ListEtcdBackupsRequest, ListEtcdBackupsRequest__Output as _kubedos_v1_ListEtcdBackupsRequest__Output } from './kubedos/v1/ListEtcdBackupsRequest.ts';
import type { ListEtcdBackupsResponse as _kubedos_v1_ListEtcdBackupsResponse, ListEtcdBackupsResponse__Output as _kubedos_v1_ListEtcdBackupsResponse__Output } from './kubedos/v1/ListEtcdBackupsResponse.ts';
import type { ListHubBackupsRequest as _kubedos_v1_ListHubBackupsRequest, ListHubBackupsRequest__Output as _kubedos_v1_ListHubBackupsRequest__Output } from './kubedos/v1/ListHubBackupsRequest.ts';
import type { ListHubBackupsResponse as _kubedos_v1_ListHubBackupsResponse, ListHubBackupsResponse__Output as _kubedos_v1_ListHubBackupsResponse__Output } from './kubedos/v1/ListHubBackupsResponse.ts';
import type { ListWindowsRequest as _kubedos_v1_ListWindowsRequest, ListWindowsRequest__Output as _kubedos_v1_ListWindowsRequest__Output } from './kubedos/v1/ListWindowsRequest.ts';
import type { ListWindowsResponse as _kubedos_v1_ListWindowsResponse, ListWindowsResponse__Output as _kubedos_v1_ListWindowsResponse__Output } from './kubedos/v1/ListWindowsResponse.ts';
import type { LogLine as _kubedos_v1_LogLine, LogLine__Output as _kubedos_v1_LogLine__Output } from './kubedos/v1/LogLine.ts';
import type { LogsRequest as _kubedos_v1_LogsRequest, LogsRequest__Output as _kubedos_v1_LogsRequest__Output } from './kubedos/v1/LogsRequest.ts';
import type { LogsResponse as _kubedos_v1_LogsResponse, LogsResponse__Output as _kubedos_v1_LogsResponse__Output } from './kubedos/v1/LogsResponse.ts';
import type { MinionMessage as _kubedos_v1_MinionMessage, MinionMessage__Output as _kubedos_v1_MinionMessage__Output } from './kubedos/v1/MinionMessage.ts';
import type { NetInterface as _kubedos_v1_NetInterface, NetInterface__Output as _kubedos_v1_NetInterface__Output } from './kubedos/v1/NetInterface.ts';
import type { NodePlan as _kubedos_v1_NodePlan, NodePlan__Output as _kubedos_v1_NodePlan__Output } from './kubedos/v1/NodePlan.ts';
import type { NodePlane as _kubedos_v1_NodePlane, NodePlane__Output as _kubedos_v1_NodePlane__Output } from './kubedos/v1/NodePlane.ts';
import type { NodeProgress as _kubedos_v1_NodeProgress, NodeProgress__Output as _kubedos_v1_NodeProgress__Output } from './kubedos/v1/NodeProgress.ts';
import type { NodeStatus as _kubedos_v1_NodeStatus, NodeStatus__Output as _kubedos_v1_NodeStatus__Output } from './kubedos/v1/NodeStatus.ts';
import type { OpenWindowRequest as _kubedos_v1_OpenWindowRequest, OpenWindowRequest__Output as _kubedos_v1_OpenWindowRequest__Output } from './kubedos/v1/OpenWindowRequest.ts';
import type { PackagesState as _kubedos_v1_PackagesState, PackagesState__Output as _kubedos_v1_PackagesState__Output } from './kubedos/v1/PackagesState.ts';
import type { PlanRequest as _kubedos_v1_PlanRequest, PlanRequest__Output as _kubedos_v1_PlanRequest__Output } from './kubedos/v1/PlanRequest.ts';
import type { PlanResponse as _kubedos_v1_PlanResponse, PlanResponse__Output as _kubedos_v1_PlanResponse__Output } from './kubedos/v1/PlanResponse.ts';
import type { PlaneAssignment as _kubedos_v1_PlaneAssignment, PlaneAssignment__Output as _kubedos_v1_PlaneAssignment__Output } from './kubedos/v1/PlaneAssignment.ts';
import type { PlaneKey as _kubedos_v1_PlaneKey, PlaneKey__Output as _kubedos_v1_PlaneKey__Output } from './kubedos/v1/PlaneKey.ts';
import type { PlanePeer as _kubedos_v1_PlanePeer, PlanePeer__Output as _kubedos_v1_PlanePeer__Output } from './kubedos/v1/PlanePeer.ts';
import type { PlanePeers as _kubedos_v1_PlanePeers, PlanePeers__Output as _kubedos_v1_PlanePeers__Output } from './kubedos/v1/PlanePeers.ts';
import type { PlannedTask as _kubedos_v1_PlannedTask, PlannedTask__Output as _kubedos_v1_PlannedTask__Output } from './kubedos/v1/PlannedTask.ts';
import type { ProbeState as _kubedos_v1_ProbeState, ProbeState__Output as _kubedos_v1_ProbeState__Output } from './kubedos/v1/ProbeState.ts';
import type { ReplaceNodeRequest as _kubedos_v1_ReplaceNodeRequest, ReplaceNodeRequest__Output as _kubedos_v1_ReplaceNodeRequest__Output } from './kubedos/v1/ReplaceNodeRequest.ts';
import type { ReplaceNodeResponse as _kubedos_v1_ReplaceNodeResponse, ReplaceNodeResponse__Output as _kubedos_v1_ReplaceNodeResponse__Output } from './kubedos/v1/ReplaceNodeResponse.ts';
import type { RerunRequest as _kubedos_v1_RerunRequest, RerunRequest__Output as _kubedos_v1_RerunRequest__Output } from './kubedos/v1/RerunRequest.ts';
import type { RerunResponse as _kubedos_v1_RerunResponse, RerunResponse__Output as _kubedos_v1_RerunResponse__Output } from './kubedos/v1/RerunResponse.ts';
import type { ServiceState as _kubedos_v1_ServiceState, ServiceState__Output as _kubedos_v1_ServiceState__Output } from './kubedos/v1/ServiceState.ts';
import type { State as _kubedos_v1_State, State__Output as _kubedos_v1_State__Output } from './kubedos/v1/State.ts';
import type { StateResult as _kubedos_v1_StateResult, StateResult__Output as _kubedos_v1_StateResult__Output } from './kubedos/v1/StateResult.ts';
import type { StatusRequest as _kubedos_v1_StatusRequest, StatusRequest__Output as _kubedos_v1_StatusRequest__Output } from './kubedos/v1/StatusRequest.ts';
import type { StatusResponse as _kubedos_v1_StatusResponse, StatusResponse__Output as _kubedos_v1_StatusResponse__Output } from './kubedos/v1/StatusResponse.ts';
import type { StatusSummary as _kubedos_v1_StatusSummary, StatusSummary__Output as _kubedos_v1_StatusSummary__Output } from './kubedos/v1/StatusSummary.ts';
import type { SysctlState as _kubedos_v1_SysctlState, SysctlState__Output as _kubedos_v1_SysctlState__Output } from './kubedos/v1/SysctlState.ts';
import type { Task as _kubedos_v1_Task, Task__Output as _kubedos_v1_Task__Output } from './kubedos/v1/Task.ts';
import type { TaskBlocked as _kubedos_v1_TaskBlocked, TaskBlocked__Output as _kubedos_v1_TaskBlocked__Output } from './kubedos/v1/TaskBlocked.ts';
import type { TaskFailure as _kubedos_v1_TaskFailure, TaskFailure__Output as _kubedos_v1_TaskFailure__Output } from './kubedos/v1/TaskFailure.ts';
import type { TaskLog as _kubedos_v1_TaskLog, TaskLog__Output as _kubedos_v1_TaskLog__Output } from './kubedos/v1/TaskLog.ts';
import type { TaskLogLine as _kubedos_v1_TaskLogLine, TaskLogLine__Output as _kubedos_v1_TaskLogLine__Output } from './kubedos/v1/TaskLogLine.ts';
import type { TaskResult as _kubedos_v1_TaskResult, TaskResult__Output as _kubedos_v1_TaskResult__Output } from './kubedos/v1/TaskResult.ts';
import type { TaskSkip as _kubedos_v1_TaskSkip, TaskSkip__Output as _kubedos_v1_TaskSkip__Output } from './kubedos/v1/TaskSkip.ts';
import type { Welcome as _kubedos_v1_Welcome, Welcome__Output as _kubedos_v1_Welcome__Output } from './kubedos/v1/Welcome.ts';
import type { Window as _kubedos_v1_Window, Window__Output as _kubedos_v1_Window__Output } from './kubedos/v1/Window.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  kubedos: {
    v1: {
      Admin: SubtypeConstructor<typeof grpc.Client, _kubedos_v1_AdminClient> & { service: _kubedos_v1_AdminDefinition }
      Agent: SubtypeConstructor<typeof grpc.Client, _kubedos_v1_AgentClient> & { service: _kubedos_v1_AgentDefinition }
      AptPackage: MessageTypeDefinition<_kubedos_v1_AptPackage, _kubedos_v1_AptPackage__Output>
      CancelConvergenceRequest: MessageTypeDefinition<_kubedos_v1_CancelConvergenceRequest, _kubedos_v1_CancelConvergenceRequest__Output>
      CancelConvergenceResponse: MessageTypeDefinition<_kubedos_v1_CancelConvergenceResponse, _kubedos_v1_CancelConvergenceResponse__Output>
      CancelTask: MessageTypeDefinition<_kubedos_v1_CancelTask, _kubedos_v1_CancelTask__Output>
      CertificateInfo: MessageTypeDefinition<_kubedos_v1_CertificateInfo, _kubedos_v1_CertificateInfo__Output>
      CertificateIssued: MessageTypeDefinition<_kubedos_v1_CertificateIssued, _kubedos_v1_CertificateIssued__Output>
      CertificateRequest: MessageTypeDefinition<_kubedos_v1_CertificateRequest, _kubedos_v1_CertificateRequest__Output>
      CertificateState: MessageTypeDefinition<_kubedos_v1_CertificateState, _kubedos_v1_CertificateState__Output>
      CertificatesRequest: MessageTypeDefinition<_kubedos_v1_CertificatesRequest, _kubedos_v1_CertificatesRequest__Output>
      CertificatesResponse: MessageTypeDefinition<_kubedos_v1_CertificatesResponse, _kubedos_v1_CertificatesResponse__Output>
      CloseWindowRequest: MessageTypeDefinition<_kubedos_v1_CloseWindowRequest, _kubedos_v1_CloseWindowRequest__Output>
      CloseWindowResponse: MessageTypeDefinition<_kubedos_v1_CloseWindowResponse, _kubedos_v1_CloseWindowResponse__Output>
      CommandState: MessageTypeDefinition<_kubedos_v1_CommandState, _kubedos_v1_CommandState__Output>
      ConfigUpdate: MessageTypeDefinition<_kubedos_v1_ConfigUpdate, _kubedos_v1_ConfigUpdate__Output>
      ConvergeCounts: MessageTypeDefinition<_kubedos_v1_ConvergeCounts, _kubedos_v1_ConvergeCounts__Output>
      ConvergeRequest: MessageTypeDefinition<_kubedos_v1_ConvergeRequest, _kubedos_v1_ConvergeRequest__Output>
      ConvergeResponse: MessageTypeDefinition<_kubedos_v1_ConvergeResponse, _kubedos_v1_ConvergeResponse__Output>
      Convergence: MessageTypeDefinition<_kubedos_v1_Convergence, _kubedos_v1_Convergence__Output>
      DirectoryState: MessageTypeDefinition<_kubedos_v1_DirectoryState, _kubedos_v1_DirectoryState__Output>
      EnrollPayload: MessageTypeDefinition<_kubedos_v1_EnrollPayload, _kubedos_v1_EnrollPayload__Output>
      EnrollRequest: MessageTypeDefinition<_kubedos_v1_EnrollRequest, _kubedos_v1_EnrollRequest__Output>
      EnrollResponse: MessageTypeDefinition<_kubedos_v1_EnrollResponse, _kubedos_v1_EnrollResponse__Output>
      Enrollment: SubtypeConstructor<typeof grpc.Client, _kubedos_v1_EnrollmentClient> & { service: _kubedos_v1_EnrollmentDefinition }
      EtcdBackup: MessageTypeDefinition<_kubedos_v1_EtcdBackup, _kubedos_v1_EtcdBackup__Output>
      EtcdBackupRequest: MessageTypeDefinition<_kubedos_v1_EtcdBackupRequest, _kubedos_v1_EtcdBackupRequest__Output>
      EtcdBackupResponse: MessageTypeDefinition<_kubedos_v1_EtcdBackupResponse, _kubedos_v1_EtcdBackupResponse__Output>
      EtcdMemberState: MessageTypeDefinition<_kubedos_v1_EtcdMemberState, _kubedos_v1_EtcdMemberState__Output>
      EtcdRestoreRequest: MessageTypeDefinition<_kubedos_v1_EtcdRestoreRequest, _kubedos_v1_EtcdRestoreRequest__Output>
      EtcdRestoreResponse: MessageTypeDefinition<_kubedos_v1_EtcdRestoreResponse, _kubedos_v1_EtcdRestoreResponse__Output>
      EtcdRestoreState: MessageTypeDefinition<_kubedos_v1_EtcdRestoreState, _kubedos_v1_EtcdRestoreState__Output>
      EtcdSnapshotState: MessageTypeDefinition<_kubedos_v1_EtcdSnapshotState, _kubedos_v1_EtcdSnapshotState__Output>
      Facts: MessageTypeDefinition<_kubedos_v1_Facts, _kubedos_v1_Facts__Output>
      FileState: MessageTypeDefinition<_kubedos_v1_FileState, _kubedos_v1_FileState__Output>
      Heartbeat: MessageTypeDefinition<_kubedos_v1_Heartbeat, _kubedos_v1_Heartbeat__Output>
      Hello: MessageTypeDefinition<_kubedos_v1_Hello, _kubedos_v1_Hello__Output>
      HubBackupCopy: MessageTypeDefinition<_kubedos_v1_HubBackupCopy, _kubedos_v1_HubBackupCopy__Output>
      HubBackupInfo: MessageTypeDefinition<_kubedos_v1_HubBackupInfo, _kubedos_v1_HubBackupInfo__Output>
      HubBackupRequest: MessageTypeDefinition<_kubedos_v1_HubBackupRequest, _kubedos_v1_HubBackupRequest__Output>
      HubBackupResponse: MessageTypeDefinition<_kubedos_v1_HubBackupResponse, _kubedos_v1_HubBackupResponse__Output>
      HubBackupStored: MessageTypeDefinition<_kubedos_v1_HubBackupStored, _kubedos_v1_HubBackupStored__Output>
      HubMessage: MessageTypeDefinition<_kubedos_v1_HubMessage, _kubedos_v1_HubMessage__Output>
      IssueKubeconfigRequest: MessageTypeDefinition<_kubedos_v1_IssueKubeconfigRequest, _kubedos_v1_IssueKubeconfigRequest__Output>
      IssueKubeconfigResponse: MessageTypeDefinition<_kubedos_v1_IssueKubeconfigResponse, _kubedos_v1_IssueKubeconfigResponse__Output>
      KernelModuleState: MessageTypeDefinition<_kubedos_v1_KernelModuleState, _kubedos_v1_KernelModuleState__Output>
      KubeNode: MessageTypeDefinition<_kubedos_v1_KubeNode, _kubedos_v1_KubeNode__Output>
      ListEtcdBackupsRequest: MessageTypeDefinition<_kubedos_v1_ListEtcdBackupsRequest, _kubedos_v1_ListEtcdBackupsRequest__Output>
      ListEtcdBackupsResponse: MessageTypeDefinition<_kubedos_v1_ListEtcdBackupsResponse, _kubedos_v1_ListEtcdBackupsResponse__Output>
      ListHubBackupsRequest: MessageTypeDefinition<_kubedos_v1_ListHubBackupsRequest, _kubedos_v1_ListHubBackupsRequest__Output>
      ListHubBackupsResponse: MessageTypeDefinition<_kubedos_v1_ListHubBackupsResponse, _kubedos_v1_ListHubBackupsResponse__Output>
      ListWindowsRequest: MessageTypeDefinition<_kubedos_v1_ListWindowsRequest, _kubedos_v1_ListWindowsRequest__Output>
      ListWindowsResponse: MessageTypeDefinition<_kubedos_v1_ListWindowsResponse, _kubedos_v1_ListWindowsResponse__Output>
      LogLine: MessageTypeDefinition<_kubedos_v1_LogLine, _kubedos_v1_LogLine__Output>
      LogsRequest: MessageTypeDefinition<_kubedos_v1_LogsRequest, _kubedos_v1_LogsRequest__Output>
      LogsResponse: MessageTypeDefinition<_kubedos_v1_LogsResponse, _kubedos_v1_LogsResponse__Output>
      MinionMessage: MessageTypeDefinition<_kubedos_v1_MinionMessage, _kubedos_v1_MinionMessage__Output>
      NetInterface: MessageTypeDefinition<_kubedos_v1_NetInterface, _kubedos_v1_NetInterface__Output>
      NodePlan: MessageTypeDefinition<_kubedos_v1_NodePlan, _kubedos_v1_NodePlan__Output>
      NodePlane: MessageTypeDefinition<_kubedos_v1_NodePlane, _kubedos_v1_NodePlane__Output>
      NodeProgress: MessageTypeDefinition<_kubedos_v1_NodeProgress, _kubedos_v1_NodeProgress__Output>
      NodeStatus: MessageTypeDefinition<_kubedos_v1_NodeStatus, _kubedos_v1_NodeStatus__Output>
      OpenWindowRequest: MessageTypeDefinition<_kubedos_v1_OpenWindowRequest, _kubedos_v1_OpenWindowRequest__Output>
      PackagesState: MessageTypeDefinition<_kubedos_v1_PackagesState, _kubedos_v1_PackagesState__Output>
      PlanRequest: MessageTypeDefinition<_kubedos_v1_PlanRequest, _kubedos_v1_PlanRequest__Output>
      PlanResponse: MessageTypeDefinition<_kubedos_v1_PlanResponse, _kubedos_v1_PlanResponse__Output>
      PlaneAssignment: MessageTypeDefinition<_kubedos_v1_PlaneAssignment, _kubedos_v1_PlaneAssignment__Output>
      PlaneKey: MessageTypeDefinition<_kubedos_v1_PlaneKey, _kubedos_v1_PlaneKey__Output>
      PlanePeer: MessageTypeDefinition<_kubedos_v1_PlanePeer, _kubedos_v1_PlanePeer__Output>
      PlanePeers: MessageTypeDefinition<_kubedos_v1_PlanePeers, _kubedos_v1_PlanePeers__Output>
      PlannedTask: MessageTypeDefinition<_kubedos_v1_PlannedTask, _kubedos_v1_PlannedTask__Output>
      ProbeState: MessageTypeDefinition<_kubedos_v1_ProbeState, _kubedos_v1_ProbeState__Output>
      ReplaceNodeRequest: MessageTypeDefinition<_kubedos_v1_ReplaceNodeRequest, _kubedos_v1_ReplaceNodeRequest__Output>
      ReplaceNodeResponse: MessageTypeDefinition<_kubedos_v1_ReplaceNodeResponse, _kubedos_v1_ReplaceNodeResponse__Output>
      RerunRequest: MessageTypeDefinition<_kubedos_v1_RerunRequest, _kubedos_v1_RerunRequest__Output>
      RerunResponse: MessageTypeDefinition<_kubedos_v1_RerunResponse, _kubedos_v1_RerunResponse__Output>
      ServiceState: MessageTypeDefinition<_kubedos_v1_ServiceState, _kubedos_v1_ServiceState__Output>
      State: MessageTypeDefinition<_kubedos_v1_State, _kubedos_v1_State__Output>
      StateResult: MessageTypeDefinition<_kubedos_v1_StateResult, _kubedos_v1_StateResult__Output>
      StatusRequest: MessageTypeDefinition<_kubedos_v1_StatusRequest, _kubedos_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_kubedos_v1_StatusResponse, _kubedos_v1_StatusResponse__Output>
      StatusSummary: MessageTypeDefinition<_kubedos_v1_StatusSummary, _kubedos_v1_StatusSummary__Output>
      SysctlState: MessageTypeDefinition<_kubedos_v1_SysctlState, _kubedos_v1_SysctlState__Output>
      Task: MessageTypeDefinition<_kubedos_v1_Task, _kubedos_v1_Task__Output>
      TaskBlocked: MessageTypeDefinition<_kubedos_v1_TaskBlocked, _kubedos_v1_TaskBlocked__Output>
      TaskFailure: MessageTypeDefinition<_kubedos_v1_TaskFailure, _kubedos_v1_TaskFailure__Output>
      TaskLog: MessageTypeDefinition<_kubedos_v1_TaskLog, _kubedos_v1_TaskLog__Output>
      TaskLogLine: MessageTypeDefinition<_kubedos_v1_TaskLogLine, _kubedos_v1_TaskLogLine__Output>
      TaskResult: MessageTypeDefinition<_kubedos_v1_TaskResult, _kubedos_v1_TaskResult__Output>
      TaskSkip: MessageTypeDefinition<_kubedos_v1_TaskSkip, _kubedos_v1_TaskSkip__Output>
      TaskStatus: EnumTypeDefinition
      Welcome: MessageTypeDefinition<_kubedos_v1_Welcome, _kubedos_v1_Welcome__Output>
      Window: MessageTypeDefinition<_kubedos_v1_Window, _kubedos_v1_Window__Output>
    }
  }
}

