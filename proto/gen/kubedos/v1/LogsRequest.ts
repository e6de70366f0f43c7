// Original file: proto/kubedos/v1/hub.proto


export interface LogsRequest {
  'node'?: (string);
  'task'?: (string);
}

export interface LogsRequest__Output {
  'node': (string);
  'task': (string);
}
