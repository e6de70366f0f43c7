// Original file: proto/kubedos/v1/hub.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HubMessage as _kubedos_v1_HubMessage, HubMessage__Output as _kubedos_v1_HubMessage__Output } from '../../kubedos/v1/HubMessage.ts';
import type { MinionMessage as _kubedos_v1_MinionMessage, MinionMessage__Output as _kubedos_v1_MinionMessage__Output } from '../../kubedos/v1/MinionMessage.ts';

export interface AgentClient extends grpc.Client {
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kubedos_v1_MinionMessage, _kubedos_v1_HubMessage__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kubedos_v1_MinionMessage, _kubedos_v1_HubMessage__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kubedos_v1_MinionMessage, _kubedos_v1_HubMessage__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kubedos_v1_MinionMessage, _kubedos_v1_HubMessage__Output>;
  
}

export interface AgentHandlers extends grpc.UntypedServiceImplementation {
  Session: grpc.handleBidiStreamingCall<_kubedos_v1_MinionMessage__Output, _kubedos_v1_HubMessage>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  Session: MethodDefinition<_kubedos_v1_MinionMessage, _kubedos_v1_HubMessage, _kubedos_v1_MinionMessage__Output, _kubedos_v1_HubMessage__Output>
}
