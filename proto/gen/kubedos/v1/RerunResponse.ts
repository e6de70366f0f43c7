// Original file: proto/kubedos/v1/hub.proto


export interface RerunResponse {
  'tasks'?: (string)[];
}

export interface RerunResponse__Output {
  'tasks': (string)[];
}
