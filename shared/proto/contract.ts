import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { ProtoGrpcType } from '../../proto/gen/hub.ts';
import type { EnrollPayload, EnrollPayload__Output } from '../../proto/gen/kubedos/v1/EnrollPayload.ts';
import { protoSource } from './source.ts';

/**
 * Loader options. proto/gen (from `npm run proto:gen`) is generated with the
 * same choices, so the generated types describe what the loader produces.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

/** Explicit message size limits: a hub never buffers more than this from a node. */
export const HUB_MAX_RECEIVE_BYTES = 1024 * 1024;
export const MINION_MAX_RECEIVE_BYTES = 16 * 1024 * 1024;
export const ADMIN_MAX_RECEIVE_BYTES = 64 * 1024 * 1024;

let cached: { grpcType: ProtoGrpcType; root: protobuf.Root } | undefined;

function load(): { grpcType: ProtoGrpcType; root: protobuf.Root } {
  if (!cached) {
    // Parsed once with camelCase names, so the grpc side and the signed-payload codec see the same field names.
    const root = protobuf.parse(protoSource(), { keepCase: false }).root;
    const definition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
    cached = { grpcType: grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType, root };
  }
  return cached;
}

export function contract(): ProtoGrpcType['kubedos']['v1'] {
  return load().grpcType.kubedos.v1;
}

function enrollPayloadType(): protobuf.Type {
  return load().root.lookupType('kubedos.v1.EnrollPayload');
}

/** Encodes the payload whose exact bytes both enrollment signatures cover. */
export function encodeEnrollPayload(payload: EnrollPayload): Uint8Array {
  const type = enrollPayloadType();
  const problem = type.verify(payload);
  if (problem) throw new Error(`invalid enrollment payload: ${problem}`);
  return type.encode(type.fromObject(payload)).finish();
}

/** Decodes signed payload bytes; throws on garbage so the caller refuses the request. */
export function decodeEnrollPayload(bytes: Uint8Array): EnrollPayload__Output {
  const type = enrollPayloadType();
  const message = type.decode(bytes);
  return type.toObject(message, {
    longs: Number,
    enums: String,
    bytes: Buffer,
    defaults: true,
  }) as EnrollPayload__Output;
}
