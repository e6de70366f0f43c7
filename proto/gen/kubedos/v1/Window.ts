// Original file: proto/kubedos/v1/hub.proto

import type { Long } from '@grpc/proto-loader';

export interface Window {
  'id'?: (string);
  'openedAtMs'?: (number | string | Long);
  'expiresAtMs'?: (number | string | Long);
  'closedAtMs'?: (number | string | Long);
  'closeReason'?: (string);
  'scopeRole'?: (string);
  'scopeNodes'?: (string)[];
  'pendingNodes'?: (string)[];
}

export interface Window__Output {
  'id': (string);
  'openedAtMs': (number);
  'expiresAtMs': (number);
  'closedAtMs': (number);
  'closeReason': (string);
  'scopeRole': (string);
  'scopeNodes': (string)[];
  'pendingNodes': (string)[];
}
