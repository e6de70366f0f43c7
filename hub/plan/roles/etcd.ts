import {
  certificate,
  command,
  directory,
  etcdMember as etcdMemberState,
  file,
  httpProbe,
  packages,
  service,
} from '../../../shared/tasks/builders.ts';
import type { TopologyNode } from '../../../shared/topology/model.ts';
import { memberSans } from '../../pki/etcd-pki.ts';
import {
  ETCD_PKI_DIR,
  etcdClientUrl,
  etcdDataDir,
  etcdMembers,
  etcdPeerUrl,
  renderEtcdEnv,
} from '../render/etcd-env.ts';
import type { RoleContext } from './context.ts';

export const ETCD_ENV_FILE = '/etc/default/etcd';
/** The member's own certificate is also the client certificate it presents to the others. */
export const ETCD_MEMBER_TLS = {
  caFile: `${ETCD_PKI_DIR}/ca.crt`,
  certFile: `${ETCD_PKI_DIR}/server.crt`,
  keyFile: `${ETCD_PKI_DIR}/server.key`,
};
/** Written by the member itself when it joins a cluster that exists; read after ETCD_ENV_FILE, so it wins. */
export const ETCD_JOIN_ENV_FILE = '/etc/default/etcd-join';
const JOIN_DROPIN = '/etc/systemd/system/etcd.service.d/kubedos-join.conf';
const HEALTH_DIR = '/etc/etcd/healthcheck';
/**
 * etcd listens on wg3. At boot it starts after wg-quick@wg3 where the
 * kernel has WireGuard, and retries until the plane's address is there
 * where the minion brings it up (wireguard-go): a rebooted member comes back
 * by itself, not at the next converge.
 */
const ETCD_DROPIN = `[Unit]
After=wg-quick@wg3.service

[Service]
EnvironmentFile=-${ETCD_JOIN_ENV_FILE}
Restart=on-failure
RestartSec=3
`;

/**
 * One etcd member, in three tasks. The unit is masked before the package is
 * installed, so Debian's default single-node instance never starts and never
 * writes a data dir; ours uses its own data dir and starts only once its
 * certificates and cluster configuration are in place.
 */
export function etcdMember(ctx: RoleContext, node: TopologyNode, preflight: string): string {
  const { caCertPem } = ctx.material.etcd;
  const install = ctx.plan.add(
    node.hostname,
    'etcd-install',
    'etcd',
    [
      // Only before the first install: masking a running member on every rerun would flap it.
      command('mask-default', ['systemctl', 'mask', 'etcd'], { unless: ['dpkg', '-s', 'etcd-server'] }),
      packages('packages', ['etcd-server', 'etcd-client']),
    ],
    { deps: [preflight] },
  );
  const pub = { mode: 0o644 };
  // The member's keys are made here, on the node; the hub signs their requests with the names it decides.
  const names = memberSans(ctx.t, node);
  const memberCert = (kind: 'server' | 'peer') =>
    certificate(`${kind}-cert`, {
      profile: `etcd-${kind}`,
      keyFile: `${ETCD_PKI_DIR}/${kind}.key`,
      certFile: `${ETCD_PKI_DIR}/${kind}.crt`,
      caPem: caCertPem,
      owner: 'etcd',
      group: 'etcd',
      ...names,
    });
  const config = ctx.plan.add(
    node.hostname,
    'etcd-config',
    'etcd',
    [
      directory('pki-dir', ETCD_PKI_DIR, { mode: 0o750, owner: 'root', group: 'etcd' }),
      file('ca', `${ETCD_PKI_DIR}/ca.crt`, caCertPem, pub),
      memberCert('server'),
      memberCert('peer'),
      file('env', ETCD_ENV_FILE, renderEtcdEnv(ctx.t, node.hostname)),
      file('join-dropin', JOIN_DROPIN, ETCD_DROPIN),
      // Debian's default member, should one ever have started, must not linger beside ours.
      command('wipe-default', ['rm', '-rf', '/var/lib/etcd/default'], {
        onlyif: ['test', '-d', '/var/lib/etcd/default'],
      }),
    ],
    { deps: [install] },
  );
  return etcdService(ctx, node, [etcdJoin(ctx, node, [config], ctx.options.etcdBootstrapped)]);
}

/** Join or bootstrap, decided on the node from its data dir and the live membership (a rebuilt member rejoins). */
export function etcdJoin(ctx: RoleContext, node: TopologyNode, deps: string[], bootstrapped: boolean): string {
  const others = etcdMembers(ctx.t).filter((m) => m.hostname !== node.hostname);
  return ctx.plan.add(
    node.hostname,
    'etcd-join',
    'etcd',
    [
      etcdMemberState('membership', {
        name: node.hostname,
        peerUrl: etcdPeerUrl(ctx.t, node),
        endpoints: others.map((m) => etcdClientUrl(ctx.t, m)),
        dataDir: etcdDataDir(ctx.t),
        ...ETCD_MEMBER_TLS,
        joinEnvFile: ETCD_JOIN_ENV_FILE,
        bootstrapped,
      }),
    ],
    // A cluster growing one member at a time refuses an add until the last one has started: that is retried.
    { deps, timeoutMs: 4 * 60_000, retries: 6 },
  );
}

export function etcdService(ctx: RoleContext, node: TopologyNode, deps: string[]): string {
  return ctx.plan.add(
    node.hostname,
    'etcd-service',
    'etcd',
    [
      service('service', 'etcd', {
        restartOnChange: [
          ETCD_ENV_FILE,
          JOIN_DROPIN,
          ...['ca.crt', 'server.crt', 'server.key', 'peer.crt', 'peer.key'].map((f) => `${ETCD_PKI_DIR}/${f}`),
        ],
      }),
    ],
    { deps, timeoutMs: 3 * 60_000 },
  );
}

/**
 * The gate: every member answers /health over mutual TLS. It runs on the
 * first member (it has a route to every member on wg3) with the hub-issued
 * healthcheck client certificate.
 */
export function etcdHealthGate(ctx: RoleContext, services: string[]): string {
  const members = ctx.nodesOf('etcd');
  const first = members[0]!;
  const { caCertPem } = ctx.material.etcd;
  return ctx.plan.add(
    first.hostname,
    'etcd-healthy',
    'etcd',
    [
      certificate('healthcheck-cert', {
        profile: 'etcd-healthcheck-client',
        keyFile: `${HEALTH_DIR}/client.key`,
        certFile: `${HEALTH_DIR}/client.crt`,
        caPem: caCertPem,
      }),
      ...members.map((m) =>
        httpProbe(`health-${m.hostname}`, `${etcdClientUrl(ctx.t, m)}/health`, {
          caPem: caCertPem,
          clientCertFile: `${HEALTH_DIR}/client.crt`,
          clientKeyFile: `${HEALTH_DIR}/client.key`,
          deadlineMs: 120_000,
          intervalMs: 1_000,
        }),
      ),
    ],
    { deps: services, timeoutMs: 150_000 },
  );
}
