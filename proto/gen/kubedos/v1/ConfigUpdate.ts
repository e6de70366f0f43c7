// Original file: proto/kubedos/v1/hub.proto

import type { PlanePeers as _kubedos_v1_PlanePeers, PlanePeers__Output as _kubedos_v1_PlanePeers__Output } from '../../kubedos/v1/PlanePeers.ts';
import type { Long } from '@grpc/proto-loader';

export interface ConfigUpdate {
  'revision'?: (number | string | Long);
  'planes'?: (_kubedos_v1_PlanePeers)[];
  'sessionEndpoint'?: (string);
  'firewallRuleset'?: (string);
}

export interface ConfigUpdate__Output {
  'revision': (number);
  'planes': (_kubedos_v1_PlanePeers__Output)[];
  'sessionEndpoint': (string);
  'firewallRuleset': (string);
}
