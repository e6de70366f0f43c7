// Original file: proto/kubedos/v1/hub.proto


export interface CancelTask {
  'taskId'?: (string);
  'reason'?: (string);
}

export interface CancelTask__Output {
  'taskId': (string);
  'reason': (string);
}
