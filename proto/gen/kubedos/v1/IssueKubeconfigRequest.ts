// Original file: proto/kubedos/v1/hub.proto


export interface IssueKubeconfigRequest {
  'csrPem'?: (string);
  'ttlSeconds'?: (number);
  'user'?: (string);
}

export interface IssueKubeconfigRequest__Output {
  'csrPem': (string);
  'ttlSeconds': (number);
  'user': (string);
}
