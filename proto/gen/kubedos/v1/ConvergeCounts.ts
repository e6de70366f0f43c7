// Original file: proto/kubedos/v1/hub.proto


export interface ConvergeCounts {
  'total'?: (number);
  'done'?: (number);
  'changed'?: (number);
  'running'?: (number);
  'pending'?: (number);
  'failed'?: (number);
  'blocked'?: (number);
  'skipped'?: (number);
}

export interface ConvergeCounts__Output {
  'total': (number);
  'done': (number);
  'changed': (number);
  'running': (number);
  'pending': (number);
  'failed': (number);
  'blocked': (number);
  'skipped': (number);
}
