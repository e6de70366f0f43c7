// Original file: proto/kubedos/v1/hub.proto


export interface EnrollRequest {
  'payload'?: (Buffer | Uint8Array | string);
  'credentialSignature'?: (Buffer | Uint8Array | string);
  'identitySignature'?: (Buffer | Uint8Array | string);
}

export interface EnrollRequest__Output {
  'payload': (Buffer);
  'credentialSignature': (Buffer);
  'identitySignature': (Buffer);
}
