import { PORTS } from '../../shared/firewall/ports.ts';
import { hubPlaneAddress } from '../../shared/planes/addressing.ts';
import { planeOf } from '../../shared/planes/peer-lists.ts';
import type { Topology } from '../../shared/topology/model.ts';

/** Where a deployed hub serves GET /metrics: its own wg2 address (`--metrics-listen wg2`). */
export function hubMetricsAddress(t: Topology): string {
  return `${hubPlaneAddress(planeOf(t, 'wg2'))}:${PORTS.hubMetrics}`;
}
