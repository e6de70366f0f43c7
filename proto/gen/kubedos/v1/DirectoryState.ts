// Original file: proto/kubedos/v1/hub.proto


export interface DirectoryState {
  'path'?: (string);
  'mode'?: (number);
  'owner'?: (string);
  'group'?: (string);
}

export interface DirectoryState__Output {
  'path': (string);
  'mode': (number);
  'owner': (string);
  'group': (string);
}
