// Original file: proto/kubedos/v1/hub.proto


export interface CloseWindowRequest {
  'id'?: (string);
}

export interface CloseWindowRequest__Output {
  'id': (string);
}
