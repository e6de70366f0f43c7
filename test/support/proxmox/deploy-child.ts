/**
 * `kubedos deploy --stage stamp` with stand-in media, as a process the crash
 * test kills at a random moment: the API, its fingerprint and token come
 * from the environment, the media from the folder the parent made.
 */
import { loadTopology } from '../../../shared/topology/load.ts';
import { apiFor, proxmoxDeploy } from '../../../deploy/proxmox/proxmox-deploy.ts';
import { smallMedia, stampOptions } from './fixtures.ts';
import path from 'node:path';

const [file] = process.argv.slice(2);
const t = loadTopology(file!);
const api = apiFor(t, file!, { retryBaseMs: 20 });
process.stdout.write('started\n');
await proxmoxDeploy(stampOptions(t, file!, smallMedia(t, path.dirname(file!)), api));
process.stdout.write('done\n');
