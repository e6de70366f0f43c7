import fs from 'node:fs';
import { requireTools } from '../../iso-builder/tools.ts';
import { UserError } from '../../shared/errors.ts';

/** What a substrate needs of this host before it makes anything. */
export interface HostNeeds {
  /** The substrate's name, for the messages ("the netns substrate needs …"). */
  substrate: string;
  /** Why it needs root (containers, a bridge …). */
  rootFor: string;
  tools: readonly string[];
  /** The apt-get line that installs the tools. */
  packages: readonly string[];
  /** Device nodes and what they are for, e.g. ['/dev/net/tun', 'taps']. */
  devices?: ReadonlyArray<readonly [string, string]>;
  /** Filesystems the kernel must offer (/proc/filesystems). */
  filesystems?: readonly string[];
}

/** The one host check every root substrate makes: Linux, root, its programs (requireTools), devices, filesystems. */
export async function checkHost(n: HostNeeds): Promise<void> {
  const needs = `the ${n.substrate} substrate needs`;
  if (process.platform !== 'linux') throw new UserError(`${needs} Linux`);
  if (process.getuid?.() !== 0) throw new UserError(`${needs} root (${n.rootFor})`, 'run kubedos up as root');
  await requireTools(n.tools).catch((err: Error) => {
    throw new UserError(err.message, `apt-get install ${n.packages.join(' ')}`);
  });
  for (const [device, forWhat] of n.devices ?? [])
    if (!fs.existsSync(device)) throw new UserError(`${needs} ${device} (${forWhat})`);
  const offered = n.filesystems?.length ? fs.readFileSync('/proc/filesystems', 'utf8') : '';
  for (const f of n.filesystems ?? [])
    if (!offered.split('\n').some((l) => l.split('\t').at(-1) === f))
      throw new UserError(`${needs} ${f} in the kernel`);
}
