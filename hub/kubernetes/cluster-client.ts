import type * as K8s from '@kubernetes/client-node';
import type { Topology } from '../../shared/topology/model.ts';
import { CertificateAuthority } from '../../shared/pki/certificate-authority.ts';
import { ADMIN_GROUP } from '../pki/admin-kubeconfig.ts';
import { apiEndpoint } from '../plan/render/kubeadm.ts';

/** The hub's own credential lasts an hour and is made again ten minutes before it runs out. */
const CREDENTIAL_LIFETIME_MS = 3_600_000;
const RENEW_BEFORE_MS = 10 * 60_000;

export interface ClusterClient {
  core: K8s.CoreV1Api;
  coordination: K8s.CoordinationV1Api;
  k8s: typeof K8s;
  server: string;
}

let cached: { client: ClusterClient; renewAt: number; pkiDir: string } | undefined;

/**
 * A client of the cluster's API through the API VIP, as the hub: a key made
 * here and kept in memory only (never written), a short-lived certificate
 * signed with the cluster CA the hub keeps. The client library
 * (@kubernetes/client-node) is loaded on first use only: a hub without a
 * cluster never pays for it.
 */
export async function clusterClient(pkiDir: string, t: Topology, now = Date.now()): Promise<ClusterClient> {
  if (cached && cached.pkiDir === pkiDir && now < cached.renewAt) return cached.client;
  const k8s = await import('@kubernetes/client-node');
  const authority = await CertificateAuthority.ensure(pkiDir, 'kubernetes-ca', t.name);
  const pair = await authority.issue(
    { commonName: 'kubedos-hub', organization: ADMIN_GROUP, usage: 'client' },
    CREDENTIAL_LIFETIME_MS,
  );
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  const server = `https://${apiEndpoint(t)}`;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: t.name, server, caData: b64(authority.certPem), skipTLSVerify: false }],
    users: [{ name: 'kubedos-hub', certData: b64(pair.certPem), keyData: b64(pair.keyPem) }],
    contexts: [{ name: 'hub', cluster: t.name, user: 'kubedos-hub' }],
    currentContext: 'hub',
  });
  const client = {
    core: kc.makeApiClient(k8s.CoreV1Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    k8s,
    server,
  };
  cached = { client, renewAt: now + CREDENTIAL_LIFETIME_MS - RENEW_BEFORE_MS, pkiDir };
  return client;
}

/** One API call, given up after timeoutMs with a line that says which call and where. */
export async function withTimeout<T>(what: string, server: string, timeoutMs: number, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: ${server} did not answer in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call, timeout]);
  } catch (err) {
    throw new Error(apiErrorLine(what, server, err), { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** The one line an API failure is worth: the API's own message when it answered, else the transport's. */
function apiErrorLine(what: string, server: string, err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string; cause?: { code?: string; message?: string } };
  if (typeof e.code === 'number') {
    let message: string;
    try {
      message = (JSON.parse(String(e.body)) as { message?: string }).message ?? '';
    } catch {
      message = '';
    }
    return `${what}: the API answered ${e.code}${message ? `: ${message}` : ''}`;
  }
  if (e.message?.startsWith(`${what}:`)) return e.message;
  const cause = e.cause?.code ?? e.cause?.message;
  return `${what}: ${server}: ${cause ?? e.message ?? String(err)}`;
}
