// Original file: proto/kubedos/v1/hub.proto


export interface ReplaceNodeRequest {
  'node'?: (string);
  'credentialPublicKey'?: (Buffer | Uint8Array | string);
}

export interface ReplaceNodeRequest__Output {
  'node': (string);
  'credentialPublicKey': (Buffer);
}
