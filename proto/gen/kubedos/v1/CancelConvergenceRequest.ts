// Original file: proto/kubedos/v1/hub.proto


export interface CancelConvergenceRequest {
  'reason'?: (string);
}

export interface CancelConvergenceRequest__Output {
  'reason': (string);
}
