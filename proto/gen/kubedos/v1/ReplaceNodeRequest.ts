// Original file: proto/kubedos/v1/hub.proto


export interface ReplaceNodeRequest {
  'node'?: (string);
}

export interface ReplaceNodeRequest__Output {
  'node': (string);
}
