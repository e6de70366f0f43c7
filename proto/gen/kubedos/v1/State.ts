// Original file: proto/kubedos/v1/hub.proto

import type { FileState as _kubedos_v1_FileState, FileState__Output as _kubedos_v1_FileState__Output } from '../../kubedos/v1/FileState.ts';
import type { DirectoryState as _kubedos_v1_DirectoryState, DirectoryState__Output as _kubedos_v1_DirectoryState__Output } from '../../kubedos/v1/DirectoryState.ts';
import type { PackagesState as _kubedos_v1_PackagesState, PackagesState__Output as _kubedos_v1_PackagesState__Output } from '../../kubedos/v1/PackagesState.ts';
import type { ServiceState as _kubedos_v1_ServiceState, ServiceState__Output as _kubedos_v1_ServiceState__Output } from '../../kubedos/v1/ServiceState.ts';
import type { KernelModuleState as _kubedos_v1_KernelModuleState, KernelModuleState__Output as _kubedos_v1_KernelModuleState__Output } from '../../kubedos/v1/KernelModuleState.ts';
import type { SysctlState as _kubedos_v1_SysctlState, SysctlState__Output as _kubedos_v1_SysctlState__Output } from '../../kubedos/v1/SysctlState.ts';
import type { CommandState as _kubedos_v1_CommandState, CommandState__Output as _kubedos_v1_CommandState__Output } from '../../kubedos/v1/CommandState.ts';
import type { ProbeState as _kubedos_v1_ProbeState, ProbeState__Output as _kubedos_v1_ProbeState__Output } from '../../kubedos/v1/ProbeState.ts';
import type { EtcdMemberState as _kubedos_v1_EtcdMemberState, EtcdMemberState__Output as _kubedos_v1_EtcdMemberState__Output } from '../../kubedos/v1/EtcdMemberState.ts';
import type { CertificateState as _kubedos_v1_CertificateState, CertificateState__Output as _kubedos_v1_CertificateState__Output } from '../../kubedos/v1/CertificateState.ts';
import type { EtcdSnapshotState as _kubedos_v1_EtcdSnapshotState, EtcdSnapshotState__Output as _kubedos_v1_EtcdSnapshotState__Output } from '../../kubedos/v1/EtcdSnapshotState.ts';
import type { EtcdRestoreState as _kubedos_v1_EtcdRestoreState, EtcdRestoreState__Output as _kubedos_v1_EtcdRestoreState__Output } from '../../kubedos/v1/EtcdRestoreState.ts';

export interface State {
  'id'?: (string);
  'file'?: (_kubedos_v1_FileState | null);
  'directory'?: (_kubedos_v1_DirectoryState | null);
  'packages'?: (_kubedos_v1_PackagesState | null);
  'service'?: (_kubedos_v1_ServiceState | null);
  'kernelModule'?: (_kubedos_v1_KernelModuleState | null);
  'sysctl'?: (_kubedos_v1_SysctlState | null);
  'command'?: (_kubedos_v1_CommandState | null);
  'probe'?: (_kubedos_v1_ProbeState | null);
  'unavailableInContainer'?: (string);
  'etcdMember'?: (_kubedos_v1_EtcdMemberState | null);
  'certificate'?: (_kubedos_v1_CertificateState | null);
  'etcdSnapshot'?: (_kubedos_v1_EtcdSnapshotState | null);
  'etcdRestore'?: (_kubedos_v1_EtcdRestoreState | null);
  'secretRefs'?: (string)[];
  'kind'?: "file"|"directory"|"packages"|"service"|"kernelModule"|"sysctl"|"command"|"probe"|"etcdMember"|"certificate"|"etcdSnapshot"|"etcdRestore";
}

export interface State__Output {
  'id': (string);
  'file'?: (_kubedos_v1_FileState__Output | null);
  'directory'?: (_kubedos_v1_DirectoryState__Output | null);
  'packages'?: (_kubedos_v1_PackagesState__Output | null);
  'service'?: (_kubedos_v1_ServiceState__Output | null);
  'kernelModule'?: (_kubedos_v1_KernelModuleState__Output | null);
  'sysctl'?: (_kubedos_v1_SysctlState__Output | null);
  'command'?: (_kubedos_v1_CommandState__Output | null);
  'probe'?: (_kubedos_v1_ProbeState__Output | null);
  'unavailableInContainer': (string);
  'etcdMember'?: (_kubedos_v1_EtcdMemberState__Output | null);
  'certificate'?: (_kubedos_v1_CertificateState__Output | null);
  'etcdSnapshot'?: (_kubedos_v1_EtcdSnapshotState__Output | null);
  'etcdRestore'?: (_kubedos_v1_EtcdRestoreState__Output | null);
  'secretRefs': (string)[];
  'kind'?: "file"|"directory"|"packages"|"service"|"kernelModule"|"sysctl"|"command"|"probe"|"etcdMember"|"certificate"|"etcdSnapshot"|"etcdRestore";
}
