/**
 * `kubedos deploy --stage stamp` with stand-in media, as a process the crash
 * test kills at a random moment: the API, its fingerprint and token come
 * from the environment, the media from the folder the parent made.
 */
import { loadTopology } from '../../../shared/topology/load.ts';
import { apiFor, proxmoxDeploy } from '../../../deploy/proxmox/proxmox-deploy.ts';
import { smallMedia } from './fixtures.ts';
import path from 'node:path';

const [file] = process.argv.slice(2);
const t = loadTopology(file!);
const api = apiFor(t, file!, { retryBaseMs: 20 });
process.stdout.write('started\n');
await proxmoxDeploy({
  topology: t,
  topologyFile: file!,
  runRoot: path.dirname(file!),
  api,
  until: 'stamp',
  dryRun: false,
  concurrency: 4,
  signal: new AbortController().signal,
  timeoutMs: 60_000,
  windowTtlMs: 60_000,
  quiet: true,
  media: smallMedia(t, path.dirname(file!)),
});
process.stdout.write('done\n');
