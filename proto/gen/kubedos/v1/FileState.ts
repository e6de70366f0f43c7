// Original file: proto/kubedos/v1/hub.proto


export interface FileState {
  'path'?: (string);
  'content'?: (Buffer | Uint8Array | string);
  'mode'?: (number);
  'owner'?: (string);
  'group'?: (string);
  'secret'?: (boolean);
}

export interface FileState__Output {
  'path': (string);
  'content': (Buffer);
  'mode': (number);
  'owner': (string);
  'group': (string);
  'secret': (boolean);
}
