// Original file: proto/kubedos/v1/hub.proto


export interface ConvergeRequest {
  'dryRun'?: (boolean);
}

export interface ConvergeRequest__Output {
  'dryRun': (boolean);
}
