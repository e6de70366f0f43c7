// Original file: proto/kubedos/v1/hub.proto


export interface PlaneKey {
  'plane'?: (string);
  'publicKey'?: (Buffer | Uint8Array | string);
}

export interface PlaneKey__Output {
  'plane': (string);
  'publicKey': (Buffer);
}
