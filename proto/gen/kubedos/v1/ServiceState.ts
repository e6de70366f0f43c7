// Original file: proto/kubedos/v1/hub.proto


export interface ServiceState {
  'unit'?: (string);
  'enabled'?: (boolean);
  'running'?: (boolean);
  'restartOnChange'?: (string)[];
  'masked'?: (boolean);
}

export interface ServiceState__Output {
  'unit': (string);
  'enabled': (boolean);
  'running': (boolean);
  'restartOnChange': (string)[];
  'masked': (boolean);
}
