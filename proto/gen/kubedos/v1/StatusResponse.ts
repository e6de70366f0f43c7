// Original file: proto/kubedos/v1/hub.proto

import type { StatusSummary as _kubedos_v1_StatusSummary, StatusSummary__Output as _kubedos_v1_StatusSummary__Output } from '../../kubedos/v1/StatusSummary.ts';
import type { NodeStatus as _kubedos_v1_NodeStatus, NodeStatus__Output as _kubedos_v1_NodeStatus__Output } from '../../kubedos/v1/NodeStatus.ts';
import type { Window as _kubedos_v1_Window, Window__Output as _kubedos_v1_Window__Output } from '../../kubedos/v1/Window.ts';
import type { Convergence as _kubedos_v1_Convergence, Convergence__Output as _kubedos_v1_Convergence__Output } from '../../kubedos/v1/Convergence.ts';
import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  'deployment'?: (string);
  'hubVersion'?: (string);
  'nowMs'?: (number | string | Long);
  'summary'?: (_kubedos_v1_StatusSummary | null);
  'nodes'?: (_kubedos_v1_NodeStatus)[];
  'windows'?: (_kubedos_v1_Window)[];
  'convergence'?: (_kubedos_v1_Convergence | null);
  'kubernetesError'?: (string);
  'hubProblems'?: (string)[];
}

export interface StatusResponse__Output {
  'deployment': (string);
  'hubVersion': (string);
  'nowMs': (number);
  'summary': (_kubedos_v1_StatusSummary__Output | null);
  'nodes': (_kubedos_v1_NodeStatus__Output)[];
  'windows': (_kubedos_v1_Window__Output)[];
  'convergence': (_kubedos_v1_Convergence__Output | null);
  'kubernetesError': (string);
  'hubProblems': (string)[];
}
