/**
 * `kubedos deploy` with stand-in media, as a process, under the CLI's own
 * top level (runMain: an operator's error is its message and hint, anything
 * else a bug with its stack): the crash test kills it at a random moment,
 * the error tests read what it prints. The API, its fingerprint and token
 * come from the topology and the environment, the media from the folder the
 * parent made; a second argument is the stage to stop after (stamp).
 */
import { runMain } from '../../../shared/cli/run-main.ts';
import { loadTopology } from '../../../shared/topology/load.ts';
import { parseStage } from '../../../deploy/pipeline/pipeline.ts';
import { apiFor, proxmoxDeploy } from '../../../deploy/substrates/proxmox/proxmox-deploy.ts';
import { smallMedia, stampOptions } from './fixtures.ts';
import path from 'node:path';

const [file, stage = 'stamp'] = process.argv.slice(2);
runMain('kubedos', async () => {
  const t = loadTopology(file!);
  const api = apiFor(t, file!, { retryBaseMs: 20 });
  process.stdout.write('started\n');
  await proxmoxDeploy(stampOptions(t, file!, smallMedia(t, path.dirname(file!)), api, { until: parseStage(stage) }));
  process.stdout.write('done\n');
});
