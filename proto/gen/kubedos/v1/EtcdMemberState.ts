// Original file: proto/kubedos/v1/hub.proto


export interface EtcdMemberState {
  'name'?: (string);
  'peerUrl'?: (string);
  'endpoints'?: (string)[];
  'dataDir'?: (string);
  'caFile'?: (string);
  'certFile'?: (string);
  'keyFile'?: (string);
  'joinEnvFile'?: (string);
  'bootstrapped'?: (boolean);
  'deadlineMs'?: (number);
}

export interface EtcdMemberState__Output {
  'name': (string);
  'peerUrl': (string);
  'endpoints': (string)[];
  'dataDir': (string);
  'caFile': (string);
  'certFile': (string);
  'keyFile': (string);
  'joinEnvFile': (string);
  'bootstrapped': (boolean);
  'deadlineMs': (number);
}
