// Original file: proto/kubedos/v1/hub.proto


export interface HubBackupRequest {
  'includeData'?: (boolean);
  'name'?: (string);
}

export interface HubBackupRequest__Output {
  'includeData': (boolean);
  'name': (string);
}
