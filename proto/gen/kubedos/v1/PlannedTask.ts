// Original file: proto/kubedos/v1/hub.proto


export interface PlannedTask {
  'id'?: (string);
  'phase'?: (string);
  'deps'?: (string)[];
  'states'?: (string)[];
}

export interface PlannedTask__Output {
  'id': (string);
  'phase': (string);
  'deps': (string)[];
  'states': (string)[];
}
