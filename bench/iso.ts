/**
 * bench/iso: wall time to build the 16-node platform's ISOs cold (empty
 * snapshot cache) and warm (cached snapshot), and the bytes written.
 *   ./node_modules/.bin/node bench/iso.ts [--keep]
 * Uses dist/kubedos-minion and dist/kubedos-hub when built (npm run build),
 * else a small stand-in executable; kubelet/kubeadm/kubectl/grafana are
 * stand-in .debs (the operator supplies the real ones with --extra-debs).
 * Needs network access to Debian's mirror for the cold run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIsos, DEFAULT_HUB_BINARY, DEFAULT_MINION_BINARY } from '../iso-builder/build.ts';
import { makeFakeDeb } from '../test/iso/fake-deb.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-bench-'));
const keep = process.argv.includes('--keep');
try {
  const stand = path.join(dir, 'stand-in');
  fs.writeFileSync(stand, '#!/bin/sh\necho stand-in\n', { mode: 0o755 });
  const minion = fs.existsSync(DEFAULT_MINION_BINARY) ? DEFAULT_MINION_BINARY : stand;
  const hub = fs.existsSync(DEFAULT_HUB_BINARY) ? DEFAULT_HUB_BINARY : stand;
  const key = path.join(dir, 'id.pub');
  fs.writeFileSync(key, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiK bench\n');
  const extra = path.join(dir, 'extra-debs');
  for (const p of ['kubelet', 'kubeadm', 'kubectl', 'grafana']) makeFakeDeb(extra, p);
  const base = {
    secretsDir: path.join(dir, 'secrets'),
    cacheDir: path.join(dir, 'cache'),
    minionBinary: minion,
    hubBinary: hub,
    sshPublicKeyFile: key,
    extraDebsDir: extra,
  };
  console.log(
    `bench/iso: 16-node platform, minion payload ${fs.statSync(minion).size} bytes, ${os.availableParallelism()} CPUs`,
  );
  for (const run of ['cold', 'warm']) {
    const t0 = process.hrtime.bigint();
    const m = await buildIsos({ ...base, outDir: path.join(dir, `out-${run}`) });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(
      `${run}: ${seconds.toFixed(1)} s wall, ${m.isos.length} ISOs, ${(m.bytesWritten / 2 ** 20).toFixed(0)} MiB written, ` +
        `snapshot ${m.snapshot.packages} packages ${(m.snapshot.bytes / 2 ** 20).toFixed(0)} MiB ` +
        `(${m.snapshot.cached ? 'cached' : `${m.snapshot.downloaded} downloaded`}), ISO size ${(m.isos[0]!.size / 2 ** 20).toFixed(0)} MiB`,
    );
  }
} finally {
  if (keep) console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
