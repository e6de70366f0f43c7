// Original file: proto/kubedos/v1/hub.proto


export interface HubBackupCopy {
  'name'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'sha256'?: (string);
}

export interface HubBackupCopy__Output {
  'name': (string);
  'data': (Buffer);
  'sha256': (string);
}
