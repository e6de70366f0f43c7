// Original file: proto/kubedos/v1/hub.proto


export interface ListWindowsRequest {
  'includeClosed'?: (boolean);
}

export interface ListWindowsRequest__Output {
  'includeClosed': (boolean);
}
