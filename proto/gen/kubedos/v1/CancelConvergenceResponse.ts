// Original file: proto/kubedos/v1/hub.proto


export interface CancelConvergenceResponse {
  'runId'?: (number);
  'cancelledTasks'?: (number);
}

export interface CancelConvergenceResponse__Output {
  'runId': (number);
  'cancelledTasks': (number);
}
