// Original file: proto/kubedos/v1/hub.proto


export interface EtcdRestoreRequest {
  'name'?: (string);
}

export interface EtcdRestoreRequest__Output {
  'name': (string);
}
