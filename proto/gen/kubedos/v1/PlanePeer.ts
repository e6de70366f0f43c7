// Original file: proto/kubedos/v1/hub.proto


export interface PlanePeer {
  'node'?: (string);
  'publicKey'?: (Buffer | Uint8Array | string);
  'endpoint'?: (string);
  'allowedIps'?: (string)[];
  'persistentKeepalive'?: (number);
}

export interface PlanePeer__Output {
  'node': (string);
  'publicKey': (Buffer);
  'endpoint': (string);
  'allowedIps': (string)[];
  'persistentKeepalive': (number);
}
