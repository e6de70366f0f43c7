// Original file: proto/kubedos/v1/hub.proto


export interface TaskSkip {
  'node'?: (string);
  'task'?: (string);
  'reason'?: (string);
}

export interface TaskSkip__Output {
  'node': (string);
  'task': (string);
  'reason': (string);
}
