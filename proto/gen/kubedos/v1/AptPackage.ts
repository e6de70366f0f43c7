// Original file: proto/kubedos/v1/hub.proto


export interface AptPackage {
  'name'?: (string);
  'version'?: (string);
  'hold'?: (boolean);
}

export interface AptPackage__Output {
  'name': (string);
  'version': (string);
  'hold': (boolean);
}
