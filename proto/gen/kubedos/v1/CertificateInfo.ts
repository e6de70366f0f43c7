// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface CertificateInfo {
  'kind'?: (string);
  'name'?: (string);
  'node'?: (string);
  'notAfterMs'?: (number | string | Long);
  'renewAtMs'?: (number | string | Long);
  'note'?: (string);
}

export interface CertificateInfo__Output {
  'kind': (string);
  'name': (string);
  'node': (string);
  'notAfterMs': (number);
  'renewAtMs': (number);
  'note': (string);
}
