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
    const root = protobuf.parse(protoSource(), { keepCase: true }).root;
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
  const snake = toSnake(payload) as Record<string, unknown>;
  const problem = type.verify(snake);
  if (problem) throw new Error(`invalid enrollment payload: ${problem}`);
  return type.encode(type.fromObject(snake)).finish();
}

/** Decodes signed payload bytes; throws on garbage so the caller refuses the request. */
export function decodeEnrollPayload(bytes: Uint8Array): EnrollPayload__Output {
  const type = enrollPayloadType();
  const message = type.decode(bytes);
  const obj = type.toObject(message, {
    longs: Number,
    enums: String,
    bytes: Buffer,
    defaults: true,
  }) as Record<string, unknown>;
  return toCamel(obj) as EnrollPayload__Output;
}

// protobufjs's own codec is loaded with keepCase (field names as in the .proto);
// the grpc side uses camelCase. These two keep the payload in the grpc shape.
function toSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnake);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), toSnake(v)]),
    );
  }
  return value;
}

function toCamel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCamel);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), toCamel(v)]),
    );
  }
  return value;
}
