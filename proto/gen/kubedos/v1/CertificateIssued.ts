// Original file: proto/kubedos/v1/hub.proto


export interface CertificateIssued {
  'requestId'?: (number);
  'certPem'?: (string);
  'error'?: (string);
}

export interface CertificateIssued__Output {
  'requestId': (number);
  'certPem': (string);
  'error': (string);
}
