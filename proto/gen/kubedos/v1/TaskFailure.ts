// Original file: proto/kubedos/v1/hub.proto


export interface TaskFailure {
  'node'?: (string);
  'task'?: (string);
  'attempt'?: (number);
  'error'?: (string);
  'outputTail'?: (string);
}

export interface TaskFailure__Output {
  'node': (string);
  'task': (string);
  'attempt': (number);
  'error': (string);
  'outputTail': (string);
}
