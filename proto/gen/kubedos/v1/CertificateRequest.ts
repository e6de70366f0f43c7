// Original file: proto/kubedos/v1/hub.proto


export interface CertificateRequest {
  'requestId'?: (number);
  'profile'?: (string);
  'csrPem'?: (string);
}

export interface CertificateRequest__Output {
  'requestId': (number);
  'profile': (string);
  'csrPem': (string);
}
