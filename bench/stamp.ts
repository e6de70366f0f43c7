/**
 * bench/stamp: `kubedos deploy --stage stamp` for the 16-node example on
 * three Proxmox nodes of the local Proxmox API (booting off), at
 * concurrency 1, 4 and 16, with and without injected lock timeouts: API
 * calls, retries, wall time, bytes uploaded; then a second run's writes.
 * The API's tasks take taskMs each (a real create allocates three volumes:
 * one to a few seconds); the retry backoff is the driver's own (500 ms,
 * doubling, with jitter). Media are stand-ins of isoMiB (the real ISO is
 * about 600 MiB) and 64 KiB seeds.
 *   ./node_modules/.bin/node bench/stamp.ts [taskMs=300] [isoMiB=64]
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseToken, ProxmoxApi } from '../deploy/substrates/proxmox/api-client.ts';
import { proxmoxDeploy } from '../deploy/substrates/proxmox/proxmox-deploy.ts';
import { smallMedia, stampOptions, topologyFor } from '../test/support/proxmox/fixtures.ts';
import { LocalPve } from '../test/support/proxmox/local-pve.ts';

const taskMs = Number(process.argv[2] ?? 300);
const isoMiB = Number(process.argv[3] ?? 64);
console.log(
  `16 VMs on 3 Proxmox nodes, tasks ${taskMs} ms, ISO ${isoMiB} MiB; load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${os.cpus().length} CPUs`,
);
console.log('concurrency  faults   wall s  reads  writes  retries  uploaded MiB  2nd run writes');
for (const faults of [false, true]) {
  for (const concurrency of [1, 4, 16]) {
    const pve = await LocalPve.start({ nodes: ['pve1', 'pve2', 'pve3'], taskMs });
    const dir = fs.mkdtempSync(`${os.tmpdir()}/kd-bench-stamp-`);
    try {
      const { topology, file } = topologyFor(pve, 'platform-16.yaml', dir);
      const media = smallMedia(topology, dir, isoMiB * 2 ** 20);
      // Lock contention grows with parallel creates: a quarter of them meet a config lock timeout, one in ten a storage lock.
      if (faults) {
        pve.inject({
          kind: 'config-lock-timeout',
          method: 'POST',
          path: /^\/nodes\/[^/]+\/qemu$/,
          times: 16,
          rate: 0.25,
        });
        pve.inject({
          kind: 'storage-lock-timeout',
          method: 'POST',
          path: /^\/nodes\/[^/]+\/qemu$/,
          times: 16,
          rate: 0.1,
        });
      }
      const run = async () => {
        const api = new ProxmoxApi({
          endpoint: pve.url,
          token: parseToken(pve.token),
          trust: { fingerprint: pve.fingerprint },
        });
        const started = performance.now();
        await proxmoxDeploy(stampOptions(topology, file, media, api, { concurrency }));
        return { api, seconds: (performance.now() - started) / 1000 };
      };
      const first = await run();
      if (pve.vms.size !== 16 || pve.violations.length)
        throw new Error(`bad run: ${pve.vms.size} VMs, ${pve.violations.join('; ')}`);
      const second = await run();
      const s = first.api.stats;
      console.log(
        `${String(concurrency).padStart(11)}  ${(faults ? 'locks' : 'none').padEnd(6)} ${first.seconds.toFixed(2).padStart(7)}  ${String(s.reads).padStart(5)}  ${String(s.writes).padStart(6)}  ${String(s.retries).padStart(7)}  ${(s.bytesUploaded / 2 ** 20).toFixed(1).padStart(12)}  ${String(second.api.stats.writes).padStart(14)}`,
      );
    } finally {
      await pve.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
