// Original file: proto/kubedos/v1/hub.proto


export interface EtcdRestoreState {
  'restoreId'?: (string);
  'dataDir'?: (string);
  'snapshot'?: (string);
  'name'?: (string);
  'peerUrl'?: (string);
  'clusterToken'?: (string);
  'stageOnly'?: (boolean);
}

export interface EtcdRestoreState__Output {
  'restoreId': (string);
  'dataDir': (string);
  'snapshot': (string);
  'name': (string);
  'peerUrl': (string);
  'clusterToken': (string);
  'stageOnly': (boolean);
}
