import path from 'node:path';
import type { Command } from 'commander';
import type { CertificatesResponse__Output } from '../../proto/gen/kubedos/v1/CertificatesResponse.ts';
import { duration } from '../../shared/cli/duration.ts';
import { KUBECONFIG_TTL_DEFAULT_MS } from '../pki/admin-kubeconfig.ts';
import type { CommandIo } from './command-io.ts';
import { fetchKubeconfig } from './kubeconfig.ts';

/** `hubctl kubeconfig` and `hubctl certs`: an admin's way into the cluster, and what expires when. */
export function addPkiCommands(program: Command, io: CommandIo): void {
  const { withAdmin, out, printJson } = io;
  program
    .command('kubeconfig')
    .description(
      'an admin kubeconfig for the cluster: the key is made here, the hub signs it (24 h unless --ttl), written 0600',
    )
    .option('--out <file>', 'where to write it', 'kubeconfig')
    .option('--ttl <duration>', 'how long it works, 1m to 30d', duration, KUBECONFIG_TTL_DEFAULT_MS)
    .option('--user <name>', 'who it is for (the certificate says kubedos-admin:<name>); default: your login')
    .option('--json', 'machine-readable output')
    .action(async (o: { out: string; ttl: number; user?: string; json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await fetchKubeconfig(c, {
          out: path.resolve(o.out),
          ttlMs: o.ttl,
          ...(o.user ? { user: o.user } : {}),
        });
        if (o.json) return printJson(r);
        out(
          `wrote ${r.path} (0600): ${r.server} as kubedos-admin:${r.user}, until ${new Date(r.notAfterMs).toISOString()}\n` +
            `  KUBECONFIG=${r.path} kubectl get nodes\n`,
        );
      });
    });

  program
    .command('certs')
    .description(
      'what expires when: the hub TLS certificate, the CAs, every certificate the hub signed, the join token',
    )
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, CertificatesResponse__Output>((a) => a.Certificates, {});
        if (o.json) return printJson(r.certificates);
        const day = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
        for (const x of r.certificates)
          out(
            `${day(Number(x.notAfterMs))}  ${x.kind.padEnd(15)} ${(x.node ? `${x.node} ` : '') + x.name}` +
              (Number(x.renewAtMs) ? `  (renewed from ${day(Number(x.renewAtMs))})` : `  (${x.note})`) +
              '\n',
          );
      });
    });
}
