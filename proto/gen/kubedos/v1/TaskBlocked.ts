// Original file: proto/kubedos/v1/hub.proto


export interface TaskBlocked {
  'node'?: (string);
  'task'?: (string);
  'reason'?: (string);
}

export interface TaskBlocked__Output {
  'node': (string);
  'task': (string);
  'reason': (string);
}
