// Original file: proto/kubedos/v1/hub.proto


export interface HubBackupStored {
  'name'?: (string);
  'sha256'?: (string);
  'error'?: (string);
}

export interface HubBackupStored__Output {
  'name': (string);
  'sha256': (string);
  'error': (string);
}
