// Original file: proto/kubedos/v1/hub.proto


export interface KubeNode {
  'registered'?: (boolean);
  'ready'?: (boolean);
  'kubeletVersion'?: (string);
  'reason'?: (string);
  'unschedulable'?: (boolean);
}

export interface KubeNode__Output {
  'registered': (boolean);
  'ready': (boolean);
  'kubeletVersion': (string);
  'reason': (string);
  'unschedulable': (boolean);
}
