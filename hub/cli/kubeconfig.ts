import os from 'node:os';
import { stringify } from 'yaml';
import type { IssueKubeconfigResponse__Output } from '../../proto/gen/kubedos/v1/IssueKubeconfigResponse.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { newP256Keys, P256, privateKeyPem, x509 } from '../../shared/pki/x509.ts';
import type { AdminConnection } from './admin-client.ts';

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/**
 * hubctl kubeconfig: the key is made here, only its request goes to the
 * hub, which signs it with the cluster CA; the kubeconfig (key inside) is
 * written 0600, atomically, and nowhere else.
 */
export async function fetchKubeconfig(
  admin: AdminConnection,
  opts: { out: string; ttlMs: number; user?: string },
): Promise<{ path: string; server: string; notAfterMs: number; user: string }> {
  const user = opts.user ?? os.userInfo().username;
  const keys = await newP256Keys();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=kubedos-admin:${user}`,
    keys,
    signingAlgorithm: P256,
  });
  const r = await admin.call<object, IssueKubeconfigResponse__Output>((a) => a.IssueKubeconfig, {
    csrPem: csr.toString('pem'),
    ttlSeconds: Math.round(opts.ttlMs / 1000),
    user,
  });
  const name = `kubedos-admin@${r.cluster}`;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: r.cluster, cluster: { server: r.server, 'certificate-authority-data': b64(r.caPem) } }],
    users: [
      {
        name,
        user: {
          'client-certificate-data': b64(r.certPem),
          'client-key-data': b64(await privateKeyPem(keys.privateKey)),
        },
      },
    ],
    contexts: [{ name, context: { cluster: r.cluster, user: name } }],
    'current-context': name,
  };
  writeFileAtomic(opts.out, stringify(config), 0o600);
  return { path: opts.out, server: r.server, notAfterMs: Number(r.notAfterMs), user };
}
