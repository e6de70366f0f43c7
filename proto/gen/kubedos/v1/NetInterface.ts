// Original file: proto/kubedos/v1/hub.proto


export interface NetInterface {
  'name'?: (string);
  'addresses'?: (string)[];
}

export interface NetInterface__Output {
  'name': (string);
  'addresses': (string)[];
}
