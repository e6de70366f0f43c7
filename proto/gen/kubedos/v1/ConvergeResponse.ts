// Original file: proto/kubedos/v1/hub.proto


export interface ConvergeResponse {
  'runId'?: (number);
}

export interface ConvergeResponse__Output {
  'runId': (number);
}
