// Original file: proto/kubedos/v1/hub.proto


export interface EtcdRestoreResponse {
  'runId'?: (number);
  'node'?: (string);
  'restoreId'?: (string);
}

export interface EtcdRestoreResponse__Output {
  'runId': (number);
  'node': (string);
  'restoreId': (string);
}
