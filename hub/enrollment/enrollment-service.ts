import { status, type ServiceError } from '@grpc/grpc-js';
import type { DatabaseSync } from 'node:sqlite';
import type { EnrollmentHandlers } from '../../proto/gen/kubedos/v1/Enrollment.ts';
import type { WireguardKeyPair } from '../../shared/keys/wireguard.ts';
import type { Logger } from '../../shared/log.ts';
import type { PlaneName, Topology } from '../../shared/topology/model.ts';
import type { GroupCommit } from '../state/group-commit.ts';
import { admitEnrollment } from './admit-enrollment.ts';
import { checkEnrollRequest } from './check-enroll-request.ts';
import { isDiskFull } from '../state/disk-full.ts';
import { EnrollError, type RefusalReason } from './enroll-error.ts';
import { buildGrant } from './grant.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

export interface EnrollmentServiceDeps {
  db: DatabaseSync;
  writes: GroupCommit;
  verifier: SignatureVerifier;
  topology: Topology;
  hubKeys: Record<PlaneName, WireguardKeyPair>;
  heartbeatIntervalMs: number;
  log: Logger;
  onEnrolled?: (node: string) => void;
  /** Counts what was answered (the hub's metrics). */
  onAnswered?: (refusal: RefusalReason | undefined) => void;
  now?: () => number;
}

export function enrollmentService(deps: EnrollmentServiceDeps): EnrollmentHandlers {
  const now = deps.now ?? Date.now;
  return {
    Enroll: (call, callback) => {
      const started = now();
      let node = '(unparsed)';
      Promise.resolve()
        .then(() => checkEnrollRequest(deps.db, deps.verifier, deps.topology.name, call.request, started))
        .then(async (checked) => {
          node = checked.inventory.node;
          await deps.writes.run(() => admitEnrollment(deps.db, deps.topology.planes, checked, now()));
          return checked.inventory;
        })
        .then((admitted) => {
          const grant = buildGrant(deps.db, deps.topology, deps.hubKeys, admitted, deps.heartbeatIntervalMs);
          deps.log.info('node enrolled', { node: admitted.node, peer: call.getPeer() });
          deps.onEnrolled?.(admitted.node);
          deps.onAnswered?.(undefined);
          callback(null, grant);
        })
        .catch((err: unknown) => {
          if (err instanceof EnrollError) {
            deps.log.warn('enrollment refused', {
              node,
              peer: call.getPeer(),
              reason: err.reason,
              detail: err.detail ?? err.message,
            });
            deps.onAnswered?.(err.reason);
            callback({ code: err.code, details: err.message } as ServiceError);
          } else if (isDiskFull(err)) {
            // Said plainly, and UNAVAILABLE: the minion tries again, and enrolls once the hub has room.
            callback({
              code: status.UNAVAILABLE,
              details: 'the hub cannot record enrollments now (its disk is full)',
            } as ServiceError);
          } else {
            deps.log.error('enrollment failed', { node, error: String(err) });
            callback({ code: status.INTERNAL, details: 'internal error; see the hub log' } as ServiceError);
          }
        });
    },
  };
}
