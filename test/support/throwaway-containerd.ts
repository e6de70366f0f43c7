import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { tempDir } from './hub-fixture.ts';
import { until } from './until.ts';

/**
 * A real containerd of the test's own (Debian's package), with its root,
 * state and socket in a temporary folder: images are imported and run in it
 * as a node's containerd would, and nothing of the host's is touched. The
 * CRI plugin is off (no kubelet talks to it).
 */
export interface ThrowawayContainerd {
  ctr(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startContainerd(): Promise<ThrowawayContainerd> {
  const dir = tempDir('ctd');
  const sock = path.join(dir, 'c.sock');
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
      '',
    ].join('\n'),
  );
  const daemon: ResultPromise = execa('containerd', ['--config', config], {
    reject: false,
    stdout: 'ignore',
    stderr: { file: path.join(dir, 'containerd.log') },
  });
  const ctr = async (args: string[]) => {
    const r = await execa('ctr', ['--address', sock, '--namespace', 'k8s.io', ...args], { reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`ctr ${args.join(' ')}: ${String(r.all).slice(-2000)}`);
    return String(r.stdout);
  };
  await until(
    'the throwaway containerd to answer',
    async () => (await execa('ctr', ['--address', sock, 'version'], { reject: false })).exitCode === 0 || undefined,
    30_000,
  );
  return {
    ctr,
    async stop() {
      daemon.kill('SIGTERM');
      await daemon;
      // Snapshots are overlay mounts only while a container runs; none is left by the tests' `ctr run --rm`.
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
