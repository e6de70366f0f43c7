import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { pollUntil } from '../../toolkit/poll.ts';

/** A software TPM 2.0 for one VM (swtpm), as Proxmox runs one per VM with a TPM state disk. */
export interface Swtpm {
  socket: string;
  process: ResultPromise;
  stop(): Promise<void>;
}

export async function startSwtpm(stateDir: string): Promise<Swtpm> {
  const dir = path.resolve(stateDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = path.join(dir, 'swtpm.sock');
  fs.rmSync(socket, { force: true });
  // Absolute paths only: swtpm resolves relative ones against / once it is running.
  const proc = execa(
    'swtpm',
    [
      'socket',
      '--tpm2',
      '--tpmstate',
      `dir=${dir}`,
      '--ctrl',
      `type=unixio,path=${socket}`,
      '--log',
      `file=${path.join(dir, 'swtpm.log')}`,
      '--terminate',
    ],
    { reject: false, stdio: 'ignore' },
  );
  await pollUntil({
    what: 'the swtpm socket',
    probe: () => fs.existsSync(socket) || proc.exitCode !== null || undefined,
    everyMs: 100,
    withinMs: 10_000,
  });
  if (!fs.existsSync(socket)) throw new Error(`swtpm did not start (see ${path.join(dir, 'swtpm.log')})`);
  return {
    socket,
    process: proc,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await proc;
    },
  };
}
