import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { AdminConnection } from './admin-client.ts';

/** What every hubctl command group gets: one admin connection per command, and its two ways to answer. */
export interface CommandIo {
  withAdmin<T>(fn: (c: AdminConnection) => Promise<T>): Promise<T>;
  /** Human output: whatever a node wrote into it is shown, never obeyed (see inert). */
  out(text: string): void;
  printJson(value: unknown): void;
}

/** The hub's status; the operator's view reads the Kubernetes side too (the hub waits at most a few seconds for it). */
export function readStatus(c: AdminConnection, kubernetes: boolean): Promise<StatusResponse__Output> {
  return c.call<object, StatusResponse__Output>((a) => a.Status, { kubernetes }, 20_000);
}
