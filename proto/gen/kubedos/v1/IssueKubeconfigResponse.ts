// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface IssueKubeconfigResponse {
  'certPem'?: (string);
  'caPem'?: (string);
  'server'?: (string);
  'cluster'?: (string);
  'notAfterMs'?: (number | string | Long);
}

export interface IssueKubeconfigResponse__Output {
  'certPem': (string);
  'caPem': (string);
  'server': (string);
  'cluster': (string);
  'notAfterMs': (number);
}
