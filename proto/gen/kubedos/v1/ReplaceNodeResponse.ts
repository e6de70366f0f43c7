// Original file: proto/kubedos/v1/hub.proto


export interface ReplaceNodeResponse {
  'node'?: (string);
  'generation'?: (number);
  'revokedKeys'?: (string)[];
  'kubernetes'?: (string);
  'newCredential'?: (boolean);
}

export interface ReplaceNodeResponse__Output {
  'node': (string);
  'generation': (number);
  'revokedKeys': (string)[];
  'kubernetes': (string);
  'newCredential': (boolean);
}
