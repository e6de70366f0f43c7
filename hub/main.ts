/**
 * The hub's executable. `kubedos-hub [options]` serves; `kubedos-hub ctl
 * ARGS` is hubctl, so a master (which has no Node of its own) can be
 * operated from its console or through its guest agent; `kubedos-hub
 * restore ARGS` restores a new master's hub state from a backup.
 */
if (process.argv[2] === 'ctl') {
  process.argv.splice(2, 1);
  void import('./cli/hubctl.ts');
} else if (process.argv[2] === 'restore') {
  process.argv.splice(2, 1);
  void import('./restore.ts');
} else {
  void import('./serve.ts');
}
