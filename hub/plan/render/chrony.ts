import { hubPlaneAddress } from '../../../shared/planes/addressing.ts';
import { planeOf } from '../../../shared/planes/peer-lists.ts';
import type { Topology } from '../../../shared/topology/model.ts';

/** Debian's chrony reads these folders (its chrony.conf: confdir and sourcedir). */
export const CHRONY_SERVER_CONF = '/etc/chrony/conf.d/kubedos.conf';
export const CHRONY_SOURCES = '/etc/chrony/sources.d/kubedos.sources';

/**
 * The master serves time on wg1 to the platform's nodes, the one time
 * source every node reaches (sessions refuse a clock five minutes off): its
 * own from whatever it reaches, else its local clock at stratum 10, so an
 * air-gapped site still agrees with itself.
 */
export function renderChronyServer(t: Topology): string {
  return [
    '# kubedos: the master serves time to the nodes over wg1',
    `allow ${planeOf(t, 'wg1').cidr}`,
    'local stratum 10',
    '',
  ].join('\n');
}

/** A node's time source: the master's wg1 address, asked at once on start (iburst). */
export function renderChronySources(t: Topology): string {
  return ['# kubedos: the master, over wg1', `server ${hubPlaneAddress(planeOf(t, 'wg1'))} iburst`, ''].join('\n');
}
