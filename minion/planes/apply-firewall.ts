/**
 * Applies the ruleset the hub rendered for this node: written to
 * `<root>/etc/kubedos/firewall.nft` (kept for boot), checked with `nft -c`,
 * then loaded in one transaction. A ruleset that would not keep established
 * traffic is refused before it is checked, because loading it would cut the
 * session the minion is using to report the result.
 */
import path from 'node:path';
import { UserError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/fs/atomic-write.ts';
import { runLocal, type CommandRunner } from '../../shared/planes/command-runner.ts';

export const FIREWALL_FILE = path.join('etc', 'kubedos', 'firewall.nft');

export interface ApplyFirewallOptions {
  root: string;
  ruleset: string;
  run?: CommandRunner;
  /** On a real node: make nftables.service load the file at boot. */
  persist?: boolean;
}

export function keepsEstablished(ruleset: string): boolean {
  const lines = ruleset.split('\n').map((l) => l.trim());
  const established = lines.findIndex((l) =>
    /^ct state (established|established,related|related,established) accept$/.test(l),
  );
  const firstVerdict = lines.findIndex((l) => /\b(drop|reject)$/.test(l) && !/^ct state invalid drop$/.test(l));
  return established >= 0 && (firstVerdict < 0 || established < firstVerdict);
}

export async function applyFirewall(opts: ApplyFirewallOptions): Promise<{ file: string }> {
  const run = opts.run ?? runLocal;
  if (!keepsEstablished(opts.ruleset)) {
    throw new UserError(
      'refusing a firewall ruleset that does not accept established traffic first: it would cut the session',
    );
  }
  const file = path.join(opts.root, FIREWALL_FILE);
  const check = await run(['nft', '-c', '-f', '/dev/stdin'], { input: opts.ruleset, reject: false });
  if (check.exitCode !== 0) throw new UserError(`the firewall ruleset does not pass nft -c: ${check.stderr.trim()}`);
  writeFileAtomic(file, opts.ruleset, 0o600);
  await run(['nft', '-f', '/dev/stdin'], { input: opts.ruleset });
  if (opts.persist) {
    writeFileAtomic(
      path.join(opts.root, 'etc', 'nftables.conf'),
      `#!/usr/sbin/nft -f\ninclude "/${FIREWALL_FILE}"\n`,
      0o755,
    );
    // For the boot: the packaged unit is loaded already, so no daemon-reload.
    await run(['systemctl', 'enable', '--no-reload', 'nftables.service']);
  }
  return { file };
}
