// Original file: proto/kubedos/v1/hub.proto


export interface PlaneAssignment {
  'plane'?: (string);
  'purpose'?: (string);
  'address'?: (string);
  'network'?: (string);
  'listenPort'?: (number);
  'hubAddress'?: (string);
  'hubPublicKey'?: (Buffer | Uint8Array | string);
  'hubEndpoint'?: (string);
}

export interface PlaneAssignment__Output {
  'plane': (string);
  'purpose': (string);
  'address': (string);
  'network': (string);
  'listenPort': (number);
  'hubAddress': (string);
  'hubPublicKey': (Buffer);
  'hubEndpoint': (string);
}
