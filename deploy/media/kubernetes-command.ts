import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UserError } from '../../shared/errors.ts';
import { userStateRoot } from '../../hub/cli/locate-hub.ts';
import { buildKubernetes } from '../../iso-builder/kubernetes/kubernetes-build.ts';

interface Flags {
  out?: string;
  json?: boolean;
}

/**
 * `kubedos build-kubernetes`: the pinned Kubernetes release
 * (iso-builder/kubernetes/pins.json) built from its Go modules into the
 * kubelet, kubeadm, kubectl, kubedos-images, etcd-server and etcd-client
 * packages, kept in the cache where every later image build takes them
 * from. --out copies the packages to a folder (to give another machine with
 * --extra-debs, or to look at).
 */
export function buildKubernetesCommand(): Command {
  return new Command('build-kubernetes')
    .description(
      'build the pinned Kubernetes release from its Go modules (go.sum-verified) into kubelet, kubeadm, kubectl, kubedos-images (its container images), etcd-server and etcd-client (the pinned etcd) packages',
    )
    .option('--out <dir>', 'also copy the packages into this folder')
    .option('--json', 'print the build manifest (versions, sha256 of every program and package) as JSON')
    .action(async (o: Flags) => {
      const build = await buildKubernetes({
        cacheDir: path.join(userStateRoot(), 'cache'),
        onStep: (s) => process.stderr.write(`build-kubernetes: ${s}\n`),
      });
      if (o.out) {
        try {
          fs.mkdirSync(o.out, { recursive: true });
          for (const d of Object.values(build.manifest.debs))
            fs.copyFileSync(path.join(build.debsDir, d.file), path.join(o.out, d.file));
        } catch (err) {
          throw new UserError(
            `cannot copy the packages into --out ${o.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
            `they are built and kept in ${build.debsDir}`,
          );
        }
      }
      if (o.json) {
        process.stdout.write(
          JSON.stringify({ dir: build.dir, cached: build.cached, ...build.manifest }, null, 2) + '\n',
        );
        return;
      }
      for (const d of Object.values(build.manifest.debs))
        process.stderr.write(`${d.file}  ${(d.bytes / 2 ** 20).toFixed(1)} MiB  sha256 ${d.sha256}\n`);
      process.stderr.write(
        `build-kubernetes: ${build.cached ? 'cached' : 'built'} in ${build.seconds.toFixed(0)} s; packages in ${o.out ?? build.debsDir}\n`,
      );
    });
}
