// Original file: proto/kubedos/v1/hub.proto

import type { Window as _kubedos_v1_Window, Window__Output as _kubedos_v1_Window__Output } from '../../kubedos/v1/Window.ts';

export interface CloseWindowResponse {
  'closed'?: (_kubedos_v1_Window)[];
}

export interface CloseWindowResponse__Output {
  'closed': (_kubedos_v1_Window__Output)[];
}
