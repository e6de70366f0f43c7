import ms from 'ms';
import type { HubAction } from '../plan/model.ts';
import type { SecretStore } from './secrets.ts';

/**
 * A task the hub does itself, with no node: make (or rotate) a secret the
 * plan's later tasks refer to. A dry run changes nothing and says what
 * would be made.
 */
export function runHubAction(
  action: HubAction | undefined,
  secrets: SecretStore,
  dryRun: boolean,
  by: string,
  now: number,
): { changed: boolean; summary: string } {
  if (!action) return { changed: false, summary: 'nothing to do' };
  if (dryRun)
    return {
      changed: false,
      summary: secrets.get(action.secret) ? `${action.secret} exists` : `would generate ${action.secret}`,
    };
  const made = secrets.generate(action, by, now);
  return {
    changed: made !== undefined,
    summary:
      made === 'made'
        ? `generated ${action.secret}`
        : made === 'rotated'
          ? `rotated ${action.secret} (older than ${ms(action.maxAgeMs ?? 0)})`
          : `${action.secret} exists`,
  };
}
