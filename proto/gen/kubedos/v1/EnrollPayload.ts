// Original file: proto/kubedos/v1/hub.proto

import type { PlaneKey as _kubedos_v1_PlaneKey, PlaneKey__Output as _kubedos_v1_PlaneKey__Output } from '../../kubedos/v1/PlaneKey.ts';
import type { Facts as _kubedos_v1_Facts, Facts__Output as _kubedos_v1_Facts__Output } from '../../kubedos/v1/Facts.ts';
import type { Long } from '@grpc/proto-loader';

export interface EnrollPayload {
  'deployment'?: (string);
  'node'?: (string);
  'smbiosUuid'?: (string);
  'smbiosSerial'?: (string);
  'identityPublicKey'?: (Buffer | Uint8Array | string);
  'planeKeys'?: (_kubedos_v1_PlaneKey)[];
  'timestampMs'?: (number | string | Long);
  'nonce'?: (Buffer | Uint8Array | string);
  'facts'?: (_kubedos_v1_Facts | null);
  'contractVersion'?: (number);
}

export interface EnrollPayload__Output {
  'deployment': (string);
  'node': (string);
  'smbiosUuid': (string);
  'smbiosSerial': (string);
  'identityPublicKey': (Buffer);
  'planeKeys': (_kubedos_v1_PlaneKey__Output)[];
  'timestampMs': (number);
  'nonce': (Buffer);
  'facts': (_kubedos_v1_Facts__Output | null);
  'contractVersion': (number);
}
