// Original file: proto/kubedos/v1/hub.proto


export interface RerunRequest {
  'target'?: (string);
}

export interface RerunRequest__Output {
  'target': (string);
}
