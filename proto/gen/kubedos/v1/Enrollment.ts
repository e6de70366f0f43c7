// Original file: proto/kubedos/v1/hub.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { EnrollRequest as _kubedos_v1_EnrollRequest, EnrollRequest__Output as _kubedos_v1_EnrollRequest__Output } from '../../kubedos/v1/EnrollRequest.ts';
import type { EnrollResponse as _kubedos_v1_EnrollResponse, EnrollResponse__Output as _kubedos_v1_EnrollResponse__Output } from '../../kubedos/v1/EnrollResponse.ts';

export interface EnrollmentClient extends grpc.Client {
  Enroll(argument: _kubedos_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _kubedos_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _kubedos_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _kubedos_v1_EnrollRequest, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _kubedos_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _kubedos_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _kubedos_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _kubedos_v1_EnrollRequest, callback: grpc.requestCallback<_kubedos_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface EnrollmentHandlers extends grpc.UntypedServiceImplementation {
  Enroll: grpc.handleUnaryCall<_kubedos_v1_EnrollRequest__Output, _kubedos_v1_EnrollResponse>;
  
}

export interface EnrollmentDefinition extends grpc.ServiceDefinition {
  Enroll: MethodDefinition<_kubedos_v1_EnrollRequest, _kubedos_v1_EnrollResponse, _kubedos_v1_EnrollRequest__Output, _kubedos_v1_EnrollResponse__Output>
}
