// Original file: proto/kubedos/v1/hub.proto


export interface SysctlState {
  'key'?: (string);
  'value'?: (string);
  'persist'?: (boolean);
}

export interface SysctlState__Output {
  'key': (string);
  'value': (string);
  'persist': (boolean);
}
