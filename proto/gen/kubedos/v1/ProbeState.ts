// Original file: proto/kubedos/v1/hub.proto

import type { CommandState as _kubedos_v1_CommandState, CommandState__Output as _kubedos_v1_CommandState__Output } from '../../kubedos/v1/CommandState.ts';

export interface ProbeState {
  'tcp'?: (string);
  'http'?: (string);
  'command'?: (_kubedos_v1_CommandState | null);
  'caPem'?: (string);
  'clientCertPem'?: (string);
  'clientKeyPem'?: (string);
  'deadlineMs'?: (number);
  'intervalMs'?: (number);
  'expectStatus'?: (number);
  'clientCertFile'?: (string);
  'clientKeyFile'?: (string);
  'target'?: "tcp"|"http"|"command";
}

export interface ProbeState__Output {
  'tcp'?: (string);
  'http'?: (string);
  'command'?: (_kubedos_v1_CommandState__Output | null);
  'caPem': (string);
  'clientCertPem': (string);
  'clientKeyPem': (string);
  'deadlineMs': (number);
  'intervalMs': (number);
  'expectStatus': (number);
  'clientCertFile': (string);
  'clientKeyFile': (string);
  'target'?: "tcp"|"http"|"command";
}
