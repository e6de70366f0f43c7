import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { AdminClient } from '../../proto/gen/kubedos/v1/Admin.ts';
import { UserError } from '../../shared/errors.ts';
import { ADMIN_MAX_RECEIVE_BYTES, contract } from '../../shared/proto/contract.ts';
import { ADMIN_SOCKET_FILE, ADMIN_TOKEN_FILE } from '../admin/admin-token.ts';

type Unary<Req, Res> = (
  req: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: grpc.requestCallback<Res>,
) => unknown;

/** A typed, promise-returning admin connection over the hub's unix socket, with operator-grade errors. */
export class AdminConnection {
  readonly #client: AdminClient;
  readonly #metadata = new grpc.Metadata();
  readonly #dir: string;

  constructor(hubDir: string) {
    this.#dir = hubDir;
    const socket = path.join(hubDir, ADMIN_SOCKET_FILE);
    if (!fs.existsSync(socket)) {
      throw new UserError(
        `no hub is running at ${hubDir} (no ${ADMIN_SOCKET_FILE})`,
        'start one with "kubedos up", or point hubctl at it with --hub-dir or KUBEDOS_HUB_DIR',
      );
    }
    let token: string;
    try {
      token = fs.readFileSync(path.join(hubDir, ADMIN_TOKEN_FILE), 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(
        `cannot read the hub's admin token in ${hubDir} (${code})`,
        code === 'EACCES' ? "run hubctl as the hub's user (or root)" : undefined,
      );
    }
    this.#metadata.set('authorization', `Bearer ${token}`);
    this.#client = new (contract().Admin)(`unix:${socket}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': ADMIN_MAX_RECEIVE_BYTES,
    });
  }

  call<Req, Res>(method: (c: AdminClient) => Unary<Req, Res>, request: Req, timeoutMs = 10_000): Promise<Res> {
    const fn = method(this.#client).bind(this.#client) as Unary<Req, Res>;
    return new Promise((resolve, reject) => {
      fn(request, this.#metadata, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (!err) return resolve(res as Res);
        reject(this.#explain(err));
      });
    });
  }

  #explain(err: grpc.ServiceError): Error {
    switch (err.code) {
      case grpc.status.UNAVAILABLE:
      case grpc.status.DEADLINE_EXCEEDED:
        return new UserError(`the hub at ${this.#dir} is not responding (${err.details})`, 'is kubedos-hub running?');
      case grpc.status.UNAUTHENTICATED:
        return new UserError(
          `the hub rejected the admin credential in ${this.#dir}`,
          'the token file may be stale; restart the hub',
        );
      case grpc.status.FAILED_PRECONDITION:
      case grpc.status.INVALID_ARGUMENT:
        return new UserError(err.details);
      default:
        return new UserError(`hub error: ${err.details || err.message}`);
    }
  }

  close(): void {
    this.#client.close();
  }
}
