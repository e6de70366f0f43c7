import type { CommandState } from '../../proto/gen/kubedos/v1/CommandState.ts';
import type { ProbeState } from '../../proto/gen/kubedos/v1/ProbeState.ts';
import type { State } from '../../proto/gen/kubedos/v1/State.ts';

/**
 * Typed constructors for the declarative states a task is made of (the proto
 * `State` oneof). Plans use these so every state carries an id and exactly
 * one kind; the minion dispatches on `kind`.
 */

export interface FileOptions {
  mode?: number;
  owner?: string;
  group?: string;
  secret?: boolean;
  /** The hub's secrets the content refers to by `${secret:NAME}`: the only ones filled in (State.secret_refs). */
  secrets?: readonly string[];
}

/** The state's secret references, when it has any: typed, set here by the hub's own code, never found in text. */
function secretRefs(names: readonly string[] | undefined): Pick<State, 'secretRefs'> {
  return names?.length ? { secretRefs: [...new Set(names)] } : {};
}

export function file(id: string, path: string, content: string | Uint8Array, opts: FileOptions = {}): State {
  return {
    id,
    kind: 'file',
    file: {
      path,
      content: Buffer.from(content),
      mode: opts.mode ?? 0o644,
      owner: opts.owner ?? '',
      group: opts.group ?? '',
      secret: opts.secret ?? false,
    },
    ...secretRefs(opts.secrets),
  };
}

export function directory(id: string, path: string, opts: Omit<FileOptions, 'secret'> = {}): State {
  return {
    id,
    kind: 'directory',
    directory: { path, mode: opts.mode ?? 0o755, owner: opts.owner ?? '', group: opts.group ?? '' },
  };
}

export interface PackageSpec {
  name: string;
  version?: string;
  hold?: boolean;
}

export function packages(id: string, list: readonly (string | PackageSpec)[]): State {
  return {
    id,
    kind: 'packages',
    packages: {
      packages: list.map((p) =>
        typeof p === 'string'
          ? { name: p, version: '', hold: false }
          : { name: p.name, version: p.version ?? '', hold: p.hold ?? false },
      ),
    },
  };
}

export interface ServiceOptions {
  enabled?: boolean;
  running?: boolean;
  restartOnChange?: string[];
  masked?: boolean;
}

export function service(id: string, unit: string, opts: ServiceOptions = {}): State {
  return {
    id,
    kind: 'service',
    service: {
      unit,
      enabled: opts.enabled ?? true,
      running: opts.running ?? true,
      restartOnChange: opts.restartOnChange ?? [],
      masked: opts.masked ?? false,
    },
  };
}

export function kernelModule(id: string, name: string, persist = true): State {
  return { id, kind: 'kernelModule', kernelModule: { name, persist } };
}

export function sysctl(id: string, key: string, value: string, persist = true): State {
  return { id, kind: 'sysctl', sysctl: { key, value, persist } };
}

export interface CommandOptions {
  creates?: string;
  unless?: string[];
  onlyif?: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  secretOutput?: boolean;
  /** The hub's secrets the argv or guards refer to by `${secret:NAME}`: the only ones filled in. */
  secrets?: readonly string[];
}

export function commandSpec(argv: string[], opts: CommandOptions = {}): CommandState {
  return {
    argv,
    creates: opts.creates ?? '',
    unless: opts.unless ?? [],
    onlyif: opts.onlyif ?? [],
    timeoutMs: opts.timeoutMs ?? 0,
    env: opts.env ?? {},
    cwd: opts.cwd ?? '',
    secretOutput: opts.secretOutput ?? false,
  };
}

export function command(id: string, argv: string[], opts: CommandOptions = {}): State {
  return { id, kind: 'command', command: commandSpec(argv, opts), ...secretRefs(opts.secrets) };
}

export interface ProbeOptions {
  deadlineMs?: number;
  intervalMs?: number;
  caPem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** A client certificate and key on the node (read there when the probe runs). */
  clientCertFile?: string;
  clientKeyFile?: string;
  expectStatus?: number;
}

function probe(id: string, target: Pick<ProbeState, 'tcp' | 'http' | 'command' | 'target'>, opts: ProbeOptions): State {
  return {
    id,
    kind: 'probe',
    probe: {
      ...target,
      caPem: opts.caPem ?? '',
      clientCertPem: opts.clientCertPem ?? '',
      clientKeyPem: opts.clientKeyPem ?? '',
      clientCertFile: opts.clientCertFile ?? '',
      clientKeyFile: opts.clientKeyFile ?? '',
      deadlineMs: opts.deadlineMs ?? 120_000,
      intervalMs: opts.intervalMs ?? 1_000,
      expectStatus: opts.expectStatus ?? 0,
    },
  };
}

export function tcpProbe(id: string, hostPort: string, opts: ProbeOptions = {}): State {
  return probe(id, { target: 'tcp', tcp: hostPort }, opts);
}

export function httpProbe(id: string, url: string, opts: ProbeOptions = {}): State {
  return probe(id, { target: 'http', http: url }, opts);
}

export function commandProbe(id: string, argv: string[], opts: ProbeOptions & CommandOptions = {}): State {
  return probe(id, { target: 'command', command: commandSpec(argv, opts) }, opts);
}

export interface CertificateOptions {
  profile: string;
  keyFile: string;
  certFile: string;
  caPem: string;
  owner?: string;
  group?: string;
  dns?: string[];
  ips?: string[];
}

/** A key made on the node and a certificate for it from the hub (only the request travels). */
export function certificate(id: string, o: CertificateOptions): State {
  return {
    id,
    kind: 'certificate',
    certificate: {
      profile: o.profile,
      keyFile: o.keyFile,
      certFile: o.certFile,
      caPem: o.caPem,
      owner: o.owner ?? '',
      group: o.group ?? '',
      dns: o.dns ?? [],
      ips: o.ips ?? [],
    },
  };
}

export interface EtcdMemberOptions {
  name: string;
  peerUrl: string;
  endpoints: string[];
  dataDir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  joinEnvFile: string;
  bootstrapped: boolean;
  deadlineMs?: number;
}

export function etcdMember(id: string, o: EtcdMemberOptions): State {
  return { id, kind: 'etcdMember', etcdMember: { ...o, deadlineMs: o.deadlineMs ?? 180_000 } };
}

export interface EtcdSnapshotOptions {
  endpoint: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  dir: string;
  fileName: string;
  keep: number;
}

/** An etcd snapshot taken through one member into dir/fileName; the newest `keep` of the directory stay. */
export function etcdSnapshot(id: string, o: EtcdSnapshotOptions): State {
  return { id, kind: 'etcdSnapshot', etcdSnapshot: o };
}

export interface EtcdRestoreOptions {
  restoreId: string;
  dataDir: string;
  /** A path on the node; empty: the data dir is only set aside (the member joins the restored one). */
  snapshot: string;
  name: string;
  peerUrl: string;
  clusterToken: string;
  /** Only restore into the staging dir, etcd still running: proves the snapshot whole before anything stops. */
  stageOnly?: boolean;
}

export function etcdRestore(id: string, o: EtcdRestoreOptions): State {
  return { id, kind: 'etcdRestore', etcdRestore: o };
}
