// Original file: proto/kubedos/v1/hub.proto

import type { ConvergeCounts as _kubedos_v1_ConvergeCounts, ConvergeCounts__Output as _kubedos_v1_ConvergeCounts__Output } from '../../kubedos/v1/ConvergeCounts.ts';
import type { NodeProgress as _kubedos_v1_NodeProgress, NodeProgress__Output as _kubedos_v1_NodeProgress__Output } from '../../kubedos/v1/NodeProgress.ts';
import type { TaskFailure as _kubedos_v1_TaskFailure, TaskFailure__Output as _kubedos_v1_TaskFailure__Output } from '../../kubedos/v1/TaskFailure.ts';
import type { TaskSkip as _kubedos_v1_TaskSkip, TaskSkip__Output as _kubedos_v1_TaskSkip__Output } from '../../kubedos/v1/TaskSkip.ts';
import type { TaskBlocked as _kubedos_v1_TaskBlocked, TaskBlocked__Output as _kubedos_v1_TaskBlocked__Output } from '../../kubedos/v1/TaskBlocked.ts';
import type { Long } from '@grpc/proto-loader';

export interface Convergence {
  'runId'?: (number);
  'dryRun'?: (boolean);
  'state'?: (string);
  'startedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'phase'?: (string);
  'counts'?: (_kubedos_v1_ConvergeCounts | null);
  'nodes'?: (_kubedos_v1_NodeProgress)[];
  'failures'?: (_kubedos_v1_TaskFailure)[];
  'skips'?: (_kubedos_v1_TaskSkip)[];
  'blocked'?: (_kubedos_v1_TaskBlocked)[];
}

export interface Convergence__Output {
  'runId': (number);
  'dryRun': (boolean);
  'state': (string);
  'startedAtMs': (number);
  'finishedAtMs': (number);
  'phase': (string);
  'counts': (_kubedos_v1_ConvergeCounts__Output | null);
  'nodes': (_kubedos_v1_NodeProgress__Output)[];
  'failures': (_kubedos_v1_TaskFailure__Output)[];
  'skips': (_kubedos_v1_TaskSkip__Output)[];
  'blocked': (_kubedos_v1_TaskBlocked__Output)[];
}
