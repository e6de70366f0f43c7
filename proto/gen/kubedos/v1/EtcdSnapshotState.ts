// Original file: proto/kubedos/v1/hub.proto


export interface EtcdSnapshotState {
  'endpoint'?: (string);
  'caFile'?: (string);
  'certFile'?: (string);
  'keyFile'?: (string);
  'dir'?: (string);
  'fileName'?: (string);
  'keep'?: (number);
}

export interface EtcdSnapshotState__Output {
  'endpoint': (string);
  'caFile': (string);
  'certFile': (string);
  'keyFile': (string);
  'dir': (string);
  'fileName': (string);
  'keep': (number);
}
