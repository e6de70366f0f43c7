// Original file: proto/kubedos/v1/hub.proto

import type { Window as _kubedos_v1_Window, Window__Output as _kubedos_v1_Window__Output } from '../../kubedos/v1/Window.ts';

export interface ListWindowsResponse {
  'windows'?: (_kubedos_v1_Window)[];
}

export interface ListWindowsResponse__Output {
  'windows': (_kubedos_v1_Window__Output)[];
}
