/** The hub's release, for `--version` (hubctl reads it without loading the hub server). */
export const HUB_VERSION = '0.1.0';
