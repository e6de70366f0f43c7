// Original file: proto/kubedos/v1/hub.proto


export interface KernelModuleState {
  'name'?: (string);
  'persist'?: (boolean);
}

export interface KernelModuleState__Output {
  'name': (string);
  'persist': (boolean);
}
