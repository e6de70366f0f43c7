// Original file: proto/kubedos/v1/hub.proto


export interface OpenWindowRequest {
  'ttlSeconds'?: (number);
  'role'?: (string);
  'nodes'?: (string)[];
}

export interface OpenWindowRequest__Output {
  'ttlSeconds': (number);
  'role': (string);
  'nodes': (string)[];
}
