import { Option, type Command } from 'commander';
import type { Window__Output } from '../../proto/gen/kubedos/v1/Window.ts';
import { duration } from '../../shared/cli/duration.ts';
import { UserError } from '../../shared/errors.ts';
import { inert } from '../../shared/text/inert.ts';
import { ROLES } from '../../shared/topology/model.ts';
import type { CommandIo } from './command-io.ts';
import { describeWindow } from './render-status.ts';

/** `hubctl enroll open|close|show` and `hubctl replace`: who may enroll, and letting a node go for its rebuild. */
export function addEnrollmentCommands(program: Command, io: CommandIo): void {
  const { withAdmin, out, printJson } = io;
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
}
