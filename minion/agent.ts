import crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { ConfigUpdate__Output } from '../proto/gen/kubedos/v1/ConfigUpdate.ts';
import type { HubMessage__Output } from '../proto/gen/kubedos/v1/HubMessage.ts';
import type { HubBackupCopy__Output } from '../proto/gen/kubedos/v1/HubBackupCopy.ts';
import type { HubBackupStored } from '../proto/gen/kubedos/v1/HubBackupStored.ts';
import type { MinionMessage } from '../proto/gen/kubedos/v1/MinionMessage.ts';
import type { Task__Output } from '../proto/gen/kubedos/v1/Task.ts';
import type { TaskResult } from '../proto/gen/kubedos/v1/TaskResult.ts';
import type { LogLine } from '../proto/gen/kubedos/v1/LogLine.ts';
import type { EnrollmentClient } from '../proto/gen/kubedos/v1/Enrollment.ts';
import type { AgentClient } from '../proto/gen/kubedos/v1/Agent.ts';
import { signCall } from '../shared/auth/call-signature.ts';
import type { MinionConfigFile, NodeIdentityFile } from '../shared/identity/files.ts';
import { CONTRACT_VERSION, REFUSAL_NOT_ENROLLED, refusalOf } from '../shared/proto/contract-version.ts';
import { isReplacementProof, REPLACEMENT_PROOF_KEY } from '../shared/auth/replacement-proof.ts';
import type { Logger } from '../shared/log.ts';
import { contract } from '../shared/proto/contract.ts';
import { hubChannel } from '../shared/proto/hub-channel.ts';
import { Backoff, delay } from './backoff.ts';
import { buildEnrollRequest, CredentialGone } from './enrollment-request.ts';
import { forgetCredential } from './forget-credential.ts';
import { loadIdentityFile } from './config.ts';
import {
  forgetEnrollment,
  loadEnrollment,
  saveEnrollment,
  toStoredEnrollment,
  type StoredEnrollment,
} from './enrollment-store.ts';
import { gatherFacts, MINION_VERSION, readHardwareIdentity, type HardwareIdentity } from './facts.ts';
import { discardNodeKeys, loadOrCreateNodeKeys, type NodeKeys } from './node-keys.ts';

const SESSION_METHOD = '/kubedos.v1.Agent/Session';

/** What the agent does with work from the hub; issue-specific modules plug in here. */
export interface AgentHandlers {
  onEnrolled?(enrollment: StoredEnrollment, keys: NodeKeys): Promise<void>;
  onTask?(
    task: Task__Output,
    signal: AbortSignal,
    log: (line: LogLine) => void,
    session: SessionServices,
  ): Promise<TaskResult>;
  onConfig?(update: ConfigUpdate__Output): Promise<void>;
  /** A backup of the hub's state to keep (the storage node); what was kept. */
  onBackupCopy?(copy: HubBackupCopy__Output): HubBackupStored;
  /** Where the next session goes (default: the hub address in the config, over the LAN). */
  sessionRoute?(): Promise<SessionRoute>;
  /** After each session: which way it went and whether the hub welcomed it. */
  sessionEnded?(route: SessionRoute, welcomed: boolean): void;
  /** Polled while a session runs over the LAN: true ends it, so the next one takes the management plane. */
  shouldLeaveLan?(): Promise<boolean>;
}

/** What a running task may ask of the hub over the session it came on. */
export interface SessionServices {
  /** Sends a certificate request for a key this node made; resolves with the hub's certificate. */
  requestCertificate(profile: string, csrPem: string): Promise<string>;
}

const CERTIFICATE_TIMEOUT_MS = 60_000;

export interface SessionRoute {
  endpoint: string;
  via: 'lan' | 'wg1';
}

/** Task results kept for a hub that asks again (by task, attempt and content). */
const RESULTS_KEPT = 512;

/** How often a session on the LAN checks whether it can move to wg1. */
const MOVE_CHECK_MS = 5_000;

export type AgentPhase = 'starting' | 'waiting-for-window' | 'enrolling' | 'connecting' | 'connected' | 'stopped';

/**
 * The minion: enroll once (retrying, and saying why, while no window is
 * open), then hold a session with the hub for good, reconnecting with
 * backoff whenever it goes away. A replaced node discards its revoked keys
 * and enrolls again.
 */
export class Agent {
  phase: AgentPhase = 'starting';
  readonly #config: MinionConfigFile;
  /** The contract version of the hub last welcomed by (1 until a hub says otherwise). */
  #hubContract = 1;
  #configs: Promise<void> = Promise.resolve();
  #identity: NodeIdentityFile;
  readonly #log: Logger;
  readonly #handlers: AgentHandlers;
  readonly #hardware: () => Promise<HardwareIdentity>;
  /**
   * Tasks running now, whatever became of the session that brought them: a
   * blip, a hub restart or the move to wg1 never stops root work mid-way (an
   * apt-get killed half-way leaves dpkg interrupted). Only a cancel, the
   * node's replacement or the minion's own stop ends them.
   */
  readonly #running = new Map<string, { attempt: number; controller: AbortController; finished: Promise<void> }>();
  /** Results of this process's tasks by task, attempt and content: sent on the next session, and again if asked again. */
  readonly #results = new Map<string, { result: TaskResult; delivered: boolean }>();
  /** The session results and log lines go to now (none between sessions). */
  #session: ClientDuplexStream<MinionMessage, HubMessage__Output> | undefined;

  constructor(config: MinionConfigFile, identity: NodeIdentityFile, log: Logger, handlers: AgentHandlers = {}) {
    this.#config = config;
    this.#identity = identity;
    this.#log = log;
    this.#handlers = handlers;
    this.#hardware = config.useSmbios
      ? readHardwareIdentity
      : () => Promise.resolve({ smbiosUuid: identity.smbiosUuid ?? '', smbiosSerial: '' });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { credentials, options } = hubChannel(this.#config.hubCaPem);
    const v1 = contract();
    const enrollClient = new v1.Enrollment(this.#config.hub, credentials, options);
    // One client per endpoint the session has used (the LAN address, the hub's wg1 address).
    const agentClients = new Map<string, AgentClient>();
    const agentClient = (endpoint: string) => {
      let c = agentClients.get(endpoint);
      if (!c) agentClients.set(endpoint, (c = new v1.Agent(endpoint, credentials, options)));
      return c;
    };
    try {
      while (!signal.aborted) {
        const keys = loadOrCreateNodeKeys(this.#config.stateDir);
        const enrollment = loadEnrollment(this.#config.stateDir) ?? (await this.#enroll(enrollClient, keys, signal));
        if (!enrollment) break;
        await this.#handlers.onEnrolled?.(enrollment, keys);
        const outcome = await this.#holdSession(agentClient, keys, enrollment, signal);
        if (outcome === 'replaced') {
          // Work for keys the hub revoked is nobody's now.
          this.#abortTasks();
          this.#log.warn("the hub no longer accepts this node's keys (replaced); making new keys and enrolling again");
          forgetEnrollment(this.#config.stateDir);
          discardNodeKeys(this.#config.stateDir);
        }
      }
    } finally {
      this.phase = 'stopped';
      this.#abortTasks();
      enrollClient.close();
      for (const c of agentClients.values()) c.close();
    }
  }

  /** The identity file as it is now; the one read before when it cannot be read (it is replaced atomically). */
  #currentIdentity(): NodeIdentityFile {
    try {
      const now = loadIdentityFile(this.#config.identityFile);
      return now.node === this.#identity.node && now.deployment === this.#identity.deployment ? now : this.#identity;
    } catch {
      return this.#identity;
    }
  }

  async #enroll(client: EnrollmentClient, keys: NodeKeys, signal: AbortSignal): Promise<StoredEnrollment | undefined> {
    const backoff = new Backoff(500, 15_000);
    let lastReason = '';
    while (!signal.aborted) {
      this.phase = 'enrolling';
      try {
        // Read again at each try: a node given a new seed (its credential renewed by a replace) enrolls with it.
        this.#identity = this.#currentIdentity();
        const hardware = await this.#hardware();
        const request = buildEnrollRequest(this.#identity, keys, hardware, await gatherFacts(hardware));
        const response = await new Promise<Parameters<Parameters<EnrollmentClient['Enroll']>[1]>[1]>(
          (resolve, reject) =>
            client.Enroll(request, { deadline: Date.now() + 15_000 }, (err, res) => (err ? reject(err) : resolve(res))),
        );
        const stored = toStoredEnrollment(response!);
        saveEnrollment(this.#config.stateDir, stored);
        if (this.#config.forgetCredential) forgetCredential(this.#config.identityFile, this.#identity);
        this.#log.info('enrolled', {
          node: stored.node,
          planes: stored.planes.map((p) => `${p.plane}=${p.address}`).join(','),
        });
        return stored;
      } catch (err) {
        if (err instanceof CredentialGone) {
          if (lastReason !== err.message) this.#log.error('cannot enroll', { reason: err.message });
          lastReason = err.message;
          // Nothing to enroll with until the node is given a new seed (a redeploy): look again now and then.
          await delay(30_000, signal);
          continue;
        }
        const e = err as grpc.ServiceError;
        const reason =
          e.code === grpc.status.UNAVAILABLE
            ? `hub ${this.#config.hub} unreachable`
            : (e.details ?? e.message ?? String(err));
        this.phase = e.code === grpc.status.FAILED_PRECONDITION ? 'waiting-for-window' : 'enrolling';
        if (reason !== lastReason) {
          (e.code === grpc.status.FAILED_PRECONDITION ? this.#log.info : this.#log.warn)(
            'enrollment not accepted yet',
            {
              reason,
            },
          );
          lastReason = reason;
        }
        await delay(backoff.next(), signal);
      }
    }
    return undefined;
  }

  /**
   * Whether a refused session proves this node was replaced: the typed
   * refusal with the hub's proof over this node and exactly this identity
   * key, signed by the CA the node pins (shared/auth/replacement-proof.ts).
   * Nothing else makes a minion discard its keys: a hub that lost its state
   * (or came back from an older backup) cannot prove it, and the node keeps
   * its keys for the hub that knows them again.
   */
  #provenReplaced(err: grpc.ServiceError, keys: NodeKeys, enrollment: StoredEnrollment): boolean {
    if (refusalOf(err) !== REFUSAL_NOT_ENROLLED) return false;
    const proof = err.metadata?.get(REPLACEMENT_PROOF_KEY)[0];
    return isReplacementProof(
      this.#config.hubCaPem,
      this.#identity.deployment,
      enrollment.node,
      keys.identity.publicKey,
      typeof proof === 'string' ? proof : undefined,
    );
  }

  /** Resolves when the agent stops, or with 'replaced' when the hub refuses this node's keys. */
  async #holdSession(
    clientFor: (endpoint: string) => AgentClient,
    keys: NodeKeys,
    enrollment: StoredEnrollment,
    signal: AbortSignal,
  ): Promise<'stopped' | 'replaced'> {
    const backoff = new Backoff(500, 30_000);
    const hardware = await this.#hardware();
    while (!signal.aborted) {
      this.phase = 'connecting';
      const route: SessionRoute = (await this.#handlers.sessionRoute?.()) ?? { endpoint: this.#config.hub, via: 'lan' };
      let welcomed = false;
      const outcome = await this.#oneSession(
        clientFor(route.endpoint),
        route,
        keys,
        enrollment,
        hardware,
        signal,
        () => {
          welcomed = true;
          backoff.reset();
        },
      );
      this.#handlers.sessionEnded?.(route, welcomed);
      if (outcome === 'replaced') return 'replaced';
      if (outcome === 'moving') continue;
      if (signal.aborted) break;
      await delay(backoff.next(), signal);
    }
    return 'stopped';
  }

  #oneSession(
    client: AgentClient,
    route: SessionRoute,
    keys: NodeKeys,
    enrollment: StoredEnrollment,
    hardware: HardwareIdentity,
    signal: AbortSignal,
    onWelcome: () => void,
  ): Promise<'ended' | 'replaced' | 'moving'> {
    return new Promise((resolve) => {
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(signCall(keys.identity.seed, SESSION_METHOD, enrollment.node))) {
        metadata.set(k, v);
      }
      const call: ClientDuplexStream<MinionMessage, HubMessage__Output> = client.Session(metadata);
      const certificates = new Map<number, { resolve: (pem: string) => void; reject: (err: Error) => void }>();
      let nextRequest = 0;
      const services: SessionServices = {
        requestCertificate: (profile, csrPem) =>
          new Promise((resolve, reject) => {
            if (settled) return reject(new Error('the session with the hub has ended'));
            const requestId = ++nextRequest;
            const timer = setTimeout(() => {
              certificates.delete(requestId);
              reject(new Error(`the hub did not answer the ${profile} certificate request in time`));
            }, CERTIFICATE_TIMEOUT_MS);
            certificates.set(requestId, {
              resolve: (pem) => (clearTimeout(timer), resolve(pem)),
              reject: (err) => (clearTimeout(timer), reject(err)),
            });
            call.write({ certificateRequest: { requestId, profile, csrPem } });
          }),
      };
      let heartbeat: NodeJS.Timeout | undefined;
      let moveCheck: NodeJS.Timeout | undefined;
      let moving = false;
      let seq = 0;
      let lastRevision = 0;
      let settled = false;
      const finish = (outcome: 'ended' | 'replaced' | 'moving') => {
        if (settled) return;
        settled = true;
        clearInterval(heartbeat);
        clearInterval(moveCheck);
        signal.removeEventListener('abort', onAbort);
        if (this.#session === call) this.#session = undefined;
        for (const p of certificates.values()) p.reject(new Error('the session with the hub ended'));
        certificates.clear();
        if (this.phase === 'connected' && outcome !== 'moving') {
          this.#log.warn('session with the hub ended; reconnecting');
        }
        resolve(outcome);
      };
      const onAbort = () => {
        call.end();
        call.cancel();
        finish('ended');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      call.on('data', (msg: HubMessage__Output) => {
        if (msg.welcome) {
          this.phase = 'connected';
          onWelcome();
          this.#log.info('session open', { node: enrollment.node, hub: route.endpoint, via: route.via });
          const leaveLan = this.#handlers.shouldLeaveLan;
          if (route.via === 'lan' && leaveLan) {
            moveCheck = setInterval(() => {
              void leaveLan().then((move) => {
                if (!move || settled) return;
                this.#log.info('management plane is up: moving the session to wg1');
                moving = true;
                call.cancel();
              });
            }, MOVE_CHECK_MS);
          }
          this.#hubContract = msg.welcome.contractVersion || 1;
          if (this.#hubContract !== CONTRACT_VERSION)
            this.#log.info('hub speaks another contract version: using what both understand', {
              hub: this.#hubContract,
              minion: CONTRACT_VERSION,
            });
          lastRevision = 0;
          this.#session = call;
          void gatherFacts(hardware).then((facts) => {
            if (settled) return;
            call.write({
              hello: {
                facts,
                minionVersion: MINION_VERSION,
                unfinishedTaskIds: [...this.#running.keys()],
                contractVersion: CONTRACT_VERSION,
              },
            });
            // What finished while there was no session is said now.
            for (const r of this.#results.values())
              if (!r.delivered) {
                call.write({ taskResult: r.result });
                r.delivered = true;
              }
          });
          const interval = msg.welcome.heartbeatIntervalMs || enrollment.heartbeatIntervalMs || 5000;
          heartbeat = setInterval(() => {
            call.write({ heartbeat: { seq: ++seq, sentAtMs: Date.now() } });
          }, interval);
        } else if (msg.task) {
          this.#runTask(call, msg.task, services);
        } else if (msg.certificate) {
          const pending = certificates.get(msg.certificate.requestId);
          certificates.delete(msg.certificate.requestId);
          if (msg.certificate.error) pending?.reject(new Error(`the hub refused: ${msg.certificate.error}`));
          else pending?.resolve(msg.certificate.certPem);
        } else if (msg.backupCopy) {
          const stored = this.#handlers.onBackupCopy?.(msg.backupCopy) ?? {
            name: msg.backupCopy.name,
            error: 'this node keeps no backups',
          };
          if (stored.error) this.#log.warn('hub backup not kept', { name: stored.name, reason: stored.error });
          else this.#log.info('hub backup kept', { name: stored.name });
          call.write({ backupStored: stored });
        } else if (msg.cancel) {
          this.#running.get(msg.cancel.taskId)?.controller.abort();
        } else if (msg.config) {
          const update = msg.config;
          // An update no newer than the last one applied in this session (a duplicate, a replay) is ignored.
          const revision = Number(update.revision ?? 0);
          if (revision && revision <= lastRevision) {
            this.#log.warn('config update ignored: not newer than the one applied', { revision, lastRevision });
            return;
          }
          lastRevision = revision;
          // One at a time, in the order sent: two updates applied concurrently could let the older win.
          this.#configs = this.#configs
            .then(() => this.#handlers.onConfig?.(update))
            .catch((err: unknown) => this.#log.error('applying config update failed', { error: String(err) }));
        }
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (moving) {
          finish('moving');
          return;
        }
        if (err.code === grpc.status.UNAUTHENTICATED && this.#provenReplaced(err, keys, enrollment)) {
          finish('replaced');
          return;
        }
        if (err.code === grpc.status.UNAUTHENTICATED && refusalOf(err) !== undefined) {
          // The hub does not know these keys and cannot prove why: said at each try, which backs off to 30 s.
          this.#log.warn(
            "the hub does not know this node's keys and proves no replacement (its state may be lost or from an older backup): keeping them and trying again",
            { reason: err.details },
          );
          finish('ended');
          return;
        }
        if (err.code !== grpc.status.CANCELLED) {
          this.#log.warn('session error', { reason: err.details || err.message });
        }
        finish('ended');
      });
      call.on('end', () => finish('ended'));
    });
  }

  #abortTasks(): void {
    for (const t of this.#running.values()) t.controller.abort();
  }

  /**
   * Runs a task the hub sent, once: sent again (the hub resends what it has
   * no answer to when a session opens), a task still running is left to
   * finish and answer, and a finished one is answered from its result.
   */
  #runTask(call: ClientDuplexStream<MinionMessage, HubMessage__Output>, task: Task__Output, services: SessionServices) {
    // By what was asked too, not only its id: a hub restored from an older backup numbers its runs again.
    const key = `${task.taskId}#${task.attempt}#${crypto.createHash('sha256').update(JSON.stringify(task)).digest('hex')}`;
    const done = this.#results.get(key);
    if (done) {
      call.write({ taskResult: done.result });
      done.delivered = true;
      return;
    }
    const earlier = this.#running.get(task.taskId);
    if (earlier?.attempt === task.attempt) return;
    const controller = new AbortController();
    // A later attempt of a task still running (the hub gave up waiting) starts once the earlier one has ended.
    const after = earlier?.finished ?? Promise.resolve();
    let finished!: () => void;
    this.#running.set(task.taskId, {
      attempt: task.attempt,
      controller,
      finished: new Promise<void>((r) => (finished = r)),
    });
    const handler = this.#handlers.onTask;
    const work: Promise<TaskResult> = handler
      ? after.then(() => handler(task, controller.signal, (line) => this.#session?.write({ log: line }), services))
      : Promise.resolve({
          taskId: task.taskId,
          attempt: task.attempt,
          status: 'TASK_STATUS_FAILED',
          error: 'this minion has no task executor',
          retryable: false,
        });
    void work
      .catch((err: unknown): TaskResult => ({
        taskId: task.taskId,
        attempt: task.attempt,
        status: 'TASK_STATUS_FAILED',
        error: String(err),
        retryable: true,
      }))
      .then((result) => {
        finished();
        if (this.#running.get(task.taskId)?.controller === controller) this.#running.delete(task.taskId);
        const session = this.#session;
        session?.write({ taskResult: result });
        this.#results.set(key, { result, delivered: session !== undefined });
        // Kept for the hub's next ask of the same attempt; the oldest go first.
        while (this.#results.size > RESULTS_KEPT) this.#results.delete(this.#results.keys().next().value!);
      });
  }
}
