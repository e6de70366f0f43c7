// Original file: proto/kubedos/v1/hub.proto


export interface StatusSummary {
  'expected'?: (number);
  'enrolled'?: (number);
  'connected'?: (number);
  'lost'?: (number);
  'total'?: (number);
}

export interface StatusSummary__Output {
  'expected': (number);
  'enrolled': (number);
  'connected': (number);
  'lost': (number);
  'total': (number);
}
