import { Command } from 'commander';
import { runMain } from '../shared/cli/run-main.ts';
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
    .exitOverride();
  program.parse();
  const { config: configFile } = program.opts<{ config: string }>();
  const config = loadMinionConfig(configFile);
  const identity = loadIdentityFile(config.identityFile);
  const log = createLogger(`minion[${identity.node}]`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log.info('starting', { hub: config.hub, stateDir: config.stateDir });
  await new Agent(config, identity, log, minionHandlers(config)).run(controller.signal);
  log.info('stopped');
});
