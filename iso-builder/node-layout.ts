import { hubCommandArgs } from '../shared/cli/hub-command.ts';
import { hubTlsCaFiles } from '../shared/pki/hub-tls.ts';

/**
 * Where kubedos lives on a node, and the units the platform image carries.
 * One place, read by the image builder, the seeds and the substrates.
 */
export const NODE_PATHS = {
  minionBinary: '/usr/local/bin/kubedos-minion',
  hubBinary: '/usr/local/bin/kubedos-hub',
  minionConfig: '/etc/kubedos/minion.json',
  /** The role firewall the minion applied last; nftables.service loads it at boot. */
  firewall: '/etc/kubedos/firewall.nft',
  identity: '/etc/kubedos/identity.json',
  minionState: '/var/lib/kubedos/minion',
  hubState: '/var/lib/kubedos/hub',
  hubDir: '/etc/kubedos/hub',
  backupRecipient: '/etc/kubedos/hub/backup-recipient.pub',
  topology: '/etc/kubedos/topology.yaml',
  inventory: '/etc/kubedos/inventory.json',
  darksite: '/var/lib/kubedos/darksite',
  darksiteKey: '/etc/apt/keyrings/kubedos-darksite.gpg',
  lanNetwork: '/etc/systemd/network/10-kubedos-lan.network',
  installer: '/usr/local/lib/kubedos/kubedos-install',
  /** The admin login's name and the operator's SSH public key, from the seed; the user is made on first boot. */
  adminUser: '/etc/kubedos/admin-user',
  adminKey: '/etc/kubedos/admin.pub',
  /** "DEPLOYMENT NODE", written by the installer: what tells an installed disk from a foreign one. */
  installedMarker: '/etc/kubedos/installed',
} as const;

/** On the kernel command line of the platform ISO's live boot: the installer runs, nothing else of kubedos does. */
export const INSTALL_FLAG = 'kubedos.install';

/** The hub listens on the topology's hub port (its default when --listen is not given). */
const HUB_EXEC = [
  NODE_PATHS.hubBinary,
  ...hubCommandArgs({
    stateDir: NODE_PATHS.hubState,
    topology: NODE_PATHS.topology,
    inventory: NODE_PATHS.inventory,
    tlsCaCert: hubTlsCaFiles(NODE_PATHS.hubDir).cert,
    tlsCaKey: hubTlsCaFiles(NODE_PATHS.hubDir).key,
    backupRecipient: NODE_PATHS.backupRecipient,
    planes: 'auto',
    darksite: NODE_PATHS.darksite,
    // GET /metrics on the hub's wg2 address, for the platform's prometheus.
    metricsListen: 'wg2',
  }),
].join(' ');

/**
 * The units in the image, enabled on every node; each starts only where its
 * seed put what it needs (the hub only on the master, whose seed alone
 * carries the hub's key).
 */
export const IMAGE_UNITS: Readonly<Record<string, string>> = {
  'kubedos-minion.service': `[Unit]
Description=kubedos minion (enrolls with the hub, runs role tasks)
Wants=network-online.target
After=network-online.target
ConditionPathExists=${NODE_PATHS.minionConfig}
ConditionKernelCommandLine=!${INSTALL_FLAG}

[Service]
ExecStart=${NODE_PATHS.minionBinary} --config ${NODE_PATHS.minionConfig}
Restart=always
RestartSec=5
# The credential and keys are the node's own; nothing else on the box reads them.
UMask=0077
# wireguard-go daemons (planes where the kernel has no WireGuard) outlive a minion restart.
KillMode=process

[Install]
WantedBy=multi-user.target
`,
  'kubedos-hub.service': `[Unit]
Description=kubedos hub (enrollment, planes, convergence)
Wants=network-online.target
After=network-online.target
ConditionPathExists=${hubTlsCaFiles(NODE_PATHS.hubDir).key}
ConditionKernelCommandLine=!${INSTALL_FLAG}

[Service]
ExecStart=${HUB_EXEC}
Restart=always
RestartSec=5
UMask=0077
KillMode=process
# The least the hub needs: its state, the planes (WireGuard configs, wg-quick
# units through systemd, the master's nftables), its port. Root stays root
# for systemctl, but with only these capabilities and a read-only system.
# Not PrivateDevices (wireguard-go needs /dev/net/tun where the kernel has no
# WireGuard) nor ProtectKernelModules (it hides /usr/lib/modules, where the
# hub sees that the kernel has WireGuard; without CAP_SYS_MODULE it loads none).
NoNewPrivileges=yes
CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER
ProtectSystem=strict
ReadWritePaths=${NODE_PATHS.hubState} -/etc/wireguard /etc/kubedos /run
ProtectHome=yes
PrivateTmp=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`,
  // The image installer: only when the image is booted live from the platform ISO.
  'kubedos-install.service': `[Unit]
Description=kubedos: install this node's disk from the platform ISO and its seed
ConditionKernelCommandLine=${INSTALL_FLAG}
Wants=systemd-udev-settle.service
After=systemd-udev-settle.service local-fs.target

[Service]
Type=oneshot
ExecStart=${NODE_PATHS.installer}
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
`,
  // The operator's way in: an admin user whose only login is the SSH key the seed carries, with sudo.
  'kubedos-admin-user.service': `[Unit]
Description=kubedos: the admin user with the operator's SSH key
ConditionPathExists=${NODE_PATHS.adminKey}
ConditionKernelCommandLine=!${INSTALL_FLAG}
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/bin/sh -ec 'u=$$(cat ${NODE_PATHS.adminUser}); id -u "$$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$$u"; passwd --lock "$$u" >/dev/null; install -d -m 0700 -o "$$u" -g "$$u" "/home/$$u/.ssh"; install -m 0600 -o "$$u" -g "$$u" ${NODE_PATHS.adminKey} "/home/$$u/.ssh/authorized_keys"; printf "%%s ALL=(ALL) NOPASSWD:ALL\\n" "$$u" > /etc/sudoers.d/kubedos-admin; chmod 0440 /etc/sudoers.d/kubedos-admin'

[Install]
WantedBy=multi-user.target
`,
  // OpenSSH's host keys are the node's own: made on its first boot, never shipped in the image.
  'kubedos-ssh-hostkeys.service': `[Unit]
Description=kubedos: make this node's SSH host keys on first boot
Before=ssh.service
ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
`,
};
