// Original file: proto/kubedos/v1/hub.proto


export interface EtcdBackupResponse {
  'runId'?: (number);
  'node'?: (string);
  'path'?: (string);
}

export interface EtcdBackupResponse__Output {
  'runId': (number);
  'node': (string);
  'path': (string);
}
