// Original file: proto/kubedos/v1/hub.proto


export interface StatusRequest {
  'runId'?: (number);
}

export interface StatusRequest__Output {
  'runId': (number);
}
