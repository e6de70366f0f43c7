// Original file: proto/kubedos/v1/hub.proto


export interface CertificateState {
  'profile'?: (string);
  'keyFile'?: (string);
  'certFile'?: (string);
  'owner'?: (string);
  'group'?: (string);
  'caPem'?: (string);
  'dns'?: (string)[];
  'ips'?: (string)[];
}

export interface CertificateState__Output {
  'profile': (string);
  'keyFile': (string);
  'certFile': (string);
  'owner': (string);
  'group': (string);
  'caPem': (string);
  'dns': (string)[];
  'ips': (string)[];
}
