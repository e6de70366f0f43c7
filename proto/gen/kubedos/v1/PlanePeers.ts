// Original file: proto/kubedos/v1/hub.proto

import type { PlanePeer as _kubedos_v1_PlanePeer, PlanePeer__Output as _kubedos_v1_PlanePeer__Output } from '../../kubedos/v1/PlanePeer.ts';

export interface PlanePeers {
  'plane'?: (string);
  'peers'?: (_kubedos_v1_PlanePeer)[];
}

export interface PlanePeers__Output {
  'plane': (string);
  'peers': (_kubedos_v1_PlanePeer__Output)[];
}
