/**
 * The hub's executable. `kubedos-hub [options]` serves; `kubedos-hub ctl
 * ARGS` is hubctl, so a master (which has no Node of its own) can be
 * operated from its console or through its guest agent.
 */
if (process.argv[2] === 'ctl') {
  process.argv.splice(2, 1);
  void import('./cli/hubctl.ts');
} else {
  void import('./serve.ts');
}
