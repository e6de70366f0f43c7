import protobuf from 'protobufjs';
import type { Task } from '../../proto/gen/kubedos/v1/Task.ts';
import type { Task__Output } from '../../proto/gen/kubedos/v1/Task.ts';
import type { TaskResult, TaskResult__Output } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import { protoSource } from '../../shared/proto/source.ts';

let root: protobuf.Root | undefined;

function type(name: string): protobuf.Type {
  root ??= protobuf.parse(protoSource(), { keepCase: false }).root;
  return root.lookupType(`kubedos.v1.${name}`);
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

function roundtrip<T>(name: string, message: object): T {
  const t = type(name);
  return t.toObject(t.decode(t.encode(t.fromObject(message)).finish()), TO_OBJECT) as T;
}

/**
 * A message as the other side of the gRPC stream would see it: encoded with
 * the contract and decoded with the loader's options. In-process channels
 * use this so tests exercise exactly what crosses the wire (defaults, oneof
 * names, bytes) and notice a field the contract cannot carry.
 */
export function taskOverWire(task: Task): Task__Output {
  return roundtrip<Task__Output>('Task', task);
}

export function resultOverWire(result: TaskResult): TaskResult__Output {
  return roundtrip<TaskResult__Output>('TaskResult', result);
}
