// Original file: proto/kubedos/v1/hub.proto


export interface NodeProgress {
  'node'?: (string);
  'total'?: (number);
  'done'?: (number);
  'running'?: (string)[];
  'failed'?: (string)[];
  'blocked'?: (number);
  'held'?: (string);
}

export interface NodeProgress__Output {
  'node': (string);
  'total': (number);
  'done': (number);
  'running': (string)[];
  'failed': (string)[];
  'blocked': (number);
  'held': (string);
}
