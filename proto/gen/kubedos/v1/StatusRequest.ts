// Original file: proto/kubedos/v1/hub.proto


export interface StatusRequest {
  'runId'?: (number);
  'kubernetes'?: (boolean);
}

export interface StatusRequest__Output {
  'runId': (number);
  'kubernetes': (boolean);
}
