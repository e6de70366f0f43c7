import { Command, Option } from 'commander';
import { runMain } from '../shared/cli/run-main.ts';
import type { MinionConfigFile } from '../shared/identity/files.ts';
import { createLogger } from '../shared/log.ts';
import { Agent } from './agent.ts';
import { loadIdentityFile, loadMinionConfig } from './config.ts';
import { MINION_VERSION } from './facts.ts';
import { minionHandlers } from './handlers.ts';

runMain('kubedos-minion', async () => {
  const program = new Command('kubedos-minion')
    .description('The kubedos agent: enrolls this node with its hub and carries out the tasks it sends.')
    .version(MINION_VERSION)
    .option('--config <file>', 'minion config (JSON)', '/etc/kubedos/minion.json')
    .addOption(
      new Option('--planes <mode>', 'how planes come up (overrides the config)').choices([
        'auto',
        'off',
        'wg-quick',
        'wireguard-go',
      ]),
    )
    .exitOverride();
  program.parse();
  const { config: configFile, planes } = program.opts<{ config: string; planes?: MinionConfigFile['planes'] }>();
  const config = { ...loadMinionConfig(configFile), ...(planes ? { planes } : {}) };
  const identity = loadIdentityFile(config.identityFile);
  const log = createLogger(`minion[${identity.node}]`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log.info('starting', { hub: config.hub, stateDir: config.stateDir });
  await new Agent(config, identity, log, minionHandlers(config, log)).run(controller.signal);
  log.info('stopped');
});
