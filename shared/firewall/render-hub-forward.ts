/**
 * The hub's forwarding rules, in their own table so the per-role ruleset can
 * be replaced without touching them: the master forwards wg2 to wg2 only
 * (metrics scraping across the hub-and-spoke plane) and nothing else, so
 * wg1, wg3 and the LAN are never bridged through the master.
 */
import { ROUTED_PLANE } from '../planes/peer-lists.ts';
import { renderDropChainTable } from './drop-chain-table.ts';

export const HUB_FORWARD_TABLE = 'kubedos-hub-forward';

export function renderHubForward(): string {
  return renderDropChainTable(HUB_FORWARD_TABLE, 'forward', [
    `iifname "${ROUTED_PLANE}" oifname "${ROUTED_PLANE}" accept`,
  ]);
}
