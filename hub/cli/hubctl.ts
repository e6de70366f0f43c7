import path from 'node:path';
import { Command, Option } from 'commander';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { completionCommand } from '../../shared/cli/completion.ts';
import { duration } from '../../shared/cli/duration.ts';
import { runMain } from '../../shared/cli/run-main.ts';
import { ROLES } from '../../shared/topology/model.ts';
import { HUB_VERSION } from '../version.ts';
import { AdminConnection } from './admin-client.ts';
import { hubctlInGuest, readGuestHubRef, splitHubDirArg } from './guest-proxy.ts';
import { locateHubDir } from './locate-hub.ts';
import { describeWindow, renderStatus } from './render-status.ts';
import { statusKey } from './status-change.ts';
import { waitForRun } from './wait-for-run.ts';
import { fetchKubeconfig } from './kubeconfig.ts';
import { KUBECONFIG_TTL_DEFAULT_MS } from '../pki/admin-kubeconfig.ts';
import { formatConvergeStatus, formatPlanView, type ConvergeStatus } from '../converge/views.ts';
import { reportUnfinishedRun } from './report-run.ts';
import { addHubBackupCommands } from './hub-backup-commands.ts';
import { inert } from '../../shared/text/inert.ts';
import { UserError } from '../../shared/errors.ts';
import type { PlanResponse__Output } from '../../proto/gen/kubedos/v1/PlanResponse.ts';
import type { LogsResponse__Output } from '../../proto/gen/kubedos/v1/LogsResponse.ts';
import type { CertificatesResponse__Output } from '../../proto/gen/kubedos/v1/CertificatesResponse.ts';

/** Human output: whatever a node wrote into it is shown, never obeyed (see inert). */
function out(text: string): void {
  process.stdout.write(inert(text));
}

function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v), 2) + '\n',
  );
}

runMain('hubctl', async () => {
  // A hub inside a VM (the qemu lab): the same command, run there.
  const { hubDir, rest } = splitHubDirArg(process.argv.slice(2));
  const guest = readGuestHubRef(locateHubDir(hubDir).dir);
  if (guest) {
    process.exitCode = await hubctlInGuest(guest, rest);
    return;
  }
  const program = new Command(process.argv[1]?.endsWith('kubedos-hub') ? 'kubedos-hub ctl' : 'hubctl')
    .description('Operate a kubedos hub: node status, enrollment windows, node replacement, convergence.')
    .version(HUB_VERSION)
    .option('--hub-dir <dir>', 'hub state dir (default: $KUBEDOS_HUB_DIR, the system hub, or the last "kubedos up")')
    .exitOverride();
  // Every command opens one admin connection and always closes it, whatever happens.
  const withAdmin = async <T>(fn: (c: AdminConnection) => Promise<T>): Promise<T> => {
    const c = new AdminConnection(locateHubDir(program.opts<{ hubDir?: string }>().hubDir).dir);
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  };
  // The operator's view reads the Kubernetes side too (the hub waits at most a few seconds for the API).
  const status = (c: AdminConnection, kubernetes: boolean) =>
    c.call<object, StatusResponse__Output>((a) => a.Status, { kubernetes }, 20_000);

  program
    .command('status')
    .description(
      'every node: role, state (expected/enrolled/connected/lost), plane addresses, last heartbeat, and its Node as the cluster sees it',
    )
    .option('--json', 'machine-readable output')
    .option('--watch', 'refresh in place until Ctrl-C')
    .option('--interval <duration>', 'refresh interval for --watch', duration, 2000)
    .option('--no-kubernetes', "the kubedos side only: the cluster's API is not asked (for scripts that poll)")
    .option(
      '--changed-from <key>',
      'answer once the progress differs from this key (a status --json answer has it as changeKey), or after --wait-max',
    )
    .option('--wait-max <duration>', 'the longest --changed-from waits', duration, 30_000)
    .action(
      async (o: {
        json?: boolean;
        watch?: boolean;
        interval: number;
        kubernetes: boolean;
        changedFrom?: string;
        waitMax: number;
      }) => {
        await withAdmin(async (c) => {
          if (o.changedFrom !== undefined) {
            // One process waiting on the socket instead of one started per poll: in a VM under emulation a
            // start costs seconds of CPU, taken from the nodes being installed beside it.
            const deadline = Date.now() + o.waitMax;
            let s = await status(c, false);
            while (statusKey(s) === o.changedFrom && Date.now() < deadline) {
              await new Promise((r) => setTimeout(r, 500));
              s = await status(c, false);
            }
            printJson({ ...s, changeKey: statusKey(s) });
            return;
          }
          if (!o.watch) {
            const s = await status(c, o.kubernetes);
            if (o.json) printJson(s);
            else out(renderStatus(s));
            return;
          }
          for (;;) {
            const s = await status(c, o.kubernetes);
            if (o.json) process.stdout.write(JSON.stringify(s) + '\n');
            else process.stdout.write(`\x1b[H\x1b[2J${inert(renderStatus(s))}`);
            await new Promise((r) => setTimeout(r, o.interval));
          }
        });
      },
    );

  program
    .command('nodes')
    .description('the inventory: node, role, VMID, LAN IP, generation')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const s = await status(c, false);
        const rows = s.nodes.map((n) => ({
          node: n.name,
          role: n.role,
          vmid: n.vmid,
          lanIp: n.lanIp,
          generation: n.generation,
          state: n.state,
        }));
        if (o.json) printJson(rows);
        else
          for (const r of rows)
            out(
              `${r.node.padEnd(14)} ${r.role.padEnd(11)} ${String(r.vmid).padEnd(7)} ${r.lanIp.padEnd(15)} gen ${r.generation}  ${r.state}\n`,
            );
      });
    });

  const enroll = program.command('enroll').description('enrollment windows (the hub is closed by default)');
  enroll
    .command('open')
    .description('open a window; it closes itself after --ttl or once every node in scope has enrolled')
    .option('--ttl <duration>', 'how long the window stays open', duration, 15 * 60_000)
    .addOption(new Option('--role <role>', 'only nodes of this role').choices([...ROLES]))
    .option('--node <name...>', 'only these nodes')
    .option('--json', 'machine-readable output')
    .action(async (o: { ttl: number; role?: string; node?: string[]; json?: boolean }) => {
      await withAdmin(async (c) => {
        const w = await c.call<object, Window__Output>((a) => a.OpenWindow, {
          ttlSeconds: Math.round(o.ttl / 1000),
          role: o.role ?? '',
          nodes: o.node ?? [],
        });
        if (o.json) printJson(w);
        else out(`${describeWindow(w, Date.now())}\n`);
      });
    });
  enroll
    .command('close [id]')
    .description('close one window, or every open window')
    .option('--json', 'machine-readable output')
    .action(async (id: string | undefined, o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, { closed: Window__Output[] }>((a) => a.CloseWindow, { id: id ?? '' });
        if (o.json) printJson(r.closed);
        else out(r.closed.length === 0 ? 'no window was open\n' : r.closed.map((w) => `closed ${w.id}\n`).join(''));
      });
    });
  enroll
    .command('show')
    .description('open windows (and with --all, closed ones)')
    .option('--all', 'include closed windows')
    .option('--json', 'machine-readable output')
    .action(async (o: { all?: boolean; json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, { windows: Window__Output[] }>((a) => a.ListWindows, { includeClosed: !!o.all });
        if (o.json) printJson(r.windows);
        else if (r.windows.length === 0) out('enrollment is closed\n');
        else
          for (const w of r.windows)
            out(`${describeWindow(w, Date.now())}${w.pendingNodes.length ? `: ${w.pendingNodes.join(', ')}` : ''}\n`);
      });
    });

  program
    .command('replace <node>')
    .description(
      'let a node go so a rebuilt one can enroll in its place (it keeps its addresses): the cluster drains it and deletes its Node, then its keys are revoked',
    )
    .option(
      '--credential-key <base64>',
      "the rebuilt node's enrollment credential (the public key of its new seed; kubedos redeploy gives it): the old one was spent",
    )
    .option('--json', 'machine-readable output')
    .action(async (node: string, o: { json?: boolean; credentialKey?: string }) => {
      const credential = o.credentialKey === undefined ? undefined : Buffer.from(o.credentialKey, 'base64');
      if (credential && credential.length !== 32)
        throw new UserError('--credential-key is the base64 of a 32-byte Ed25519 public key');
      await withAdmin(async (c) => {
        if (!o.json)
          process.stderr.write(inert(`hubctl: replacing ${node} (a Kubernetes node is drained first: up to 90 s)\n`));
        const r = await c.call<
          object,
          { node: string; generation: number; revokedKeys: string[]; kubernetes: string; newCredential: boolean }
        >((a) => a.ReplaceNode, { node, ...(credential ? { credentialPublicKey: credential } : {}) }, 150_000);
        if (o.json) printJson(r);
        else
          out(
            `${r.kubernetes ? `${r.node}: ${r.kubernetes}\n` : ''}${r.node}: ${r.revokedKeys.length} keys revoked, now generation ${r.generation}; ` +
              (r.newCredential
                ? `open a window for it: hubctl enroll open --node ${r.node}\n`
                : `it has no credential to enroll with (its seed's was spent): give it one with --credential-key, or use kubedos redeploy\n`),
          );
      });
    });

  program
    .command('plan')
    .description('the convergence plan: per node, its tasks in order, with what each waits for')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const plan = await c.call<object, PlanResponse__Output>((a) => a.Plan, {}, 60_000);
        if (o.json) printJson(plan);
        else out(formatPlanView(plan));
      });
    });

  program
    .command('converge')
    .description('drive every node to its role (etcd, control plane, workers, load balancers, services)')
    .option('--dry-run', 'report what would change, change nothing')
    .option('--no-wait', 'return once the run has started')
    .option('--cancel', 'end the running convergence run (what has not finished is cancelled)')
    .option('--json', 'machine-readable output')
    .action(async (o: { dryRun?: boolean; wait: boolean; cancel?: boolean; json?: boolean }) => {
      await withAdmin(async (c) => {
        if (o.cancel) {
          const r = await c.call<object, { runId: number; cancelledTasks: number }>((a) => a.CancelConvergence, {});
          if (o.json) printJson(r);
          else
            out(
              r.runId
                ? `convergence run ${r.runId} cancelled: ${r.cancelledTasks} unfinished task${r.cancelledTasks === 1 ? '' : 's'} ended\n`
                : 'no convergence run is running\n',
            );
          return;
        }
        const { runId } = await c.call<object, { runId: number }>((a) => a.Converge, { dryRun: !!o.dryRun }, 60_000);
        if (!o.wait) {
          if (o.json) printJson({ runId });
          else out(`convergence run ${runId} started; "hubctl status" shows its progress\n`);
          return;
        }
        const final = await waitForRun(c, runId, !o.json);
        if (o.json) printJson(final);
        else out(formatConvergeStatus(final as unknown as ConvergeStatus));
        if (reportUnfinishedRun(final, 'hubctl')) process.exitCode = 3;
      });
    });

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

  addHubBackupCommands(program, { withAdmin, out, printJson });
  const etcd = program.command('etcd').description('etcd backups: take one now, list them, restore the cluster');
  // A run the hub started for us: wait for it (progress on stderr) unless --no-wait, and exit 3 if it failed.
  const finishRun = async (c: AdminConnection, runId: number, o: { wait: boolean; json?: boolean }, what: string) => {
    if (!o.wait) return;
    const final = await waitForRun(c, runId, !o.json);
    if (o.json) printJson(final);
    else
      out(
        `${what}: ${final.state}\n${final.state === 'done' ? '' : formatConvergeStatus(final as unknown as ConvergeStatus)}`,
      );
    if (reportUnfinishedRun(final, 'hubctl')) process.exitCode = 3;
  };
  etcd
    .command('backup')
    .description('take an etcd snapshot now, on a connected member (the hub also takes them on its schedule)')
    .option('--no-wait', 'return once the backup has started')
    .option('--json', 'machine-readable output')
    .action(async (o: { wait: boolean; json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, { runId: number; node: string; path: string }>((a) => a.EtcdBackup, {});
        if (!o.json) out(`backup run ${r.runId}: ${r.node} saves ${r.path}\n`);
        else if (!o.wait) printJson(r);
        await finishRun(c, r.runId, o, `etcd backup ${r.path} on ${r.node}`);
      });
    });
  etcd
    .command('backups')
    .description('the etcd snapshots the members keep, newest first')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<
          object,
          { backups: Array<{ name: string; node: string; path: string; takenAtMs: number; summary: string }> }
        >((a) => a.ListEtcdBackups, {});
        if (o.json) return printJson(r.backups);
        if (r.backups.length === 0) return void out('no etcd backups yet ("hubctl etcd backup" takes one)\n');
        for (const b of r.backups) out(`${b.name}  ${b.node}  ${new Date(b.takenAtMs).toISOString()}  ${b.summary}\n`);
      });
    });
  etcd
    .command('restore <name>')
    .description(
      'bring the etcd cluster back from a backup (every member stops; its current data is set aside, not deleted)',
    )
    .option('--yes', 'do it: without --yes only says what would happen')
    .option('--no-wait', 'return once the restore has started')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { yes?: boolean; wait: boolean; json?: boolean }) => {
      if (!o.yes) {
        out(
          `"hubctl etcd restore ${name} --yes" stops every etcd member, restores ${name} on the member that holds it, ` +
            'and makes the others join it empty: every write since that backup is lost (the old data dirs are kept beside as <data dir>.before-<restore id>).\n',
        );
        process.exitCode = 2;
        return;
      }
      await withAdmin(async (c) => {
        const r = await c.call<object, { runId: number; node: string; restoreId: string }>(
          (a) => a.EtcdRestore,
          { name },
          60_000,
        );
        if (!o.json) out(`restore ${r.restoreId} (run ${r.runId}): ${r.node} restores ${name}; the others join it\n`);
        else if (!o.wait) printJson(r);
        await finishRun(c, r.runId, o, `etcd restore ${r.restoreId}`);
      });
    });

  program
    .command('logs <node> [task]')
    .description("a node's task results and output in the latest run (secrets are never shown)")
    .option('--json', 'machine-readable output')
    .action(async (node: string, task: string | undefined, o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, LogsResponse__Output>((a) => a.Logs, { node, task: task ?? '' });
        if (o.json) printJson(r.tasks);
        else if (r.tasks.length === 0)
          out(`no tasks for ${node}${task ? ` matching ${task}` : ''} in the latest run\n`);
        else
          for (const t of r.tasks) {
            out(
              `${t.task}: ${t.state}${t.status ? ` (${t.status})` : ''}, attempt ${t.attempt}${t.error ? `: ${t.error}` : ''}\n`,
            );
            if (t.summary) out(`  ${t.summary}\n`);
            for (const l of t.lines) out(`  ${new Date(l.atMs).toISOString()} ${l.level} ${l.text}\n`);
            if (t.outputTail)
              out(
                t.outputTail
                  .trimEnd()
                  .split('\n')
                  .map((l) => `  | ${l}\n`)
                  .join(''),
              );
          }
      });
    });

  program
    .command('rerun <target>')
    .description('run a task (by id) or every task of a node again, with what depends on it')
    .option('--json', 'machine-readable output')
    .action(async (target: string, o: { json?: boolean }) => {
      await withAdmin(async (c) => {
        const r = await c.call<object, { tasks: string[] }>((a) => a.Rerun, { target });
        if (o.json) printJson(r.tasks);
        else
          out(
            `${r.tasks.length} task${r.tasks.length === 1 ? '' : 's'} will run again${r.tasks.length ? `: ${r.tasks.join(', ')}` : ''}\n`,
          );
      });
    });

  program.addCommand(completionCommand(program, 'hubctl'));
  await program.parseAsync();
});
