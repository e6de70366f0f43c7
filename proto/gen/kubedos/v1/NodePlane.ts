// Original file: proto/kubedos/v1/hub.proto


export interface NodePlane {
  'plane'?: (string);
  'address'?: (string);
}

export interface NodePlane__Output {
  'plane': (string);
  'address': (string);
}
