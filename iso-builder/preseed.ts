import { intToIpv4, parseIpv4Network } from '../shared/net/ipv4.ts';
import { KUBERNETES_ROLES, type Topology, type TopologyNode } from '../shared/topology/model.ts';
import { DEFAULT_SUITE } from './apt-snapshot.ts';
import { PAYLOAD_ISO_DIR } from './payload.ts';

/** Printed on the serial console by the preseed's first command: the boot test waits for it. */
export const INSTALLER_START_MARKER = 'KUBEDOS-PRESEED-START';

export interface PreseedInput {
  topology: Topology;
  node: TopologyNode;
  /** Login name of the admin user that holds the operator's SSH key. */
  adminUser: string;
  packages: readonly string[];
}

function netmask(prefix: number): string {
  return intToIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/**
 * The partman recipe: GPT with an EFI system partition and a BIOS boot
 * partition (so one disk layout boots either way), /boot and /. Kubernetes
 * nodes get no swap (kubelet refuses to run with swap on); others get 1 GiB.
 */
function recipe(swap: boolean): string {
  const parts = [
    '1 1 1 free $bios_boot{ } method{ biosgrub } .',
    '538 538 538 free $iflabel{ gpt } $reusemethod{ } method{ efi } format{ } .',
    '512 512 512 ext4 method{ format } format{ } use_filesystem{ } filesystem{ ext4 } mountpoint{ /boot } .',
    ...(swap ? ['1024 1024 1024 linux-swap method{ swap } format{ } .'] : []),
    '4096 8192 -1 ext4 method{ format } format{ } use_filesystem{ } filesystem{ ext4 } mountpoint{ / } .',
  ];
  return `kubedos :: ${parts.join(' ')}`;
}

/**
 * One node's preseed. Every answer the installer would ask is here, so it
 * runs hands-off; nothing in it is secret (no passwords at all: root is
 * locked, the admin user logs in only with the operator's SSH key).
 */
export function renderPreseed(input: PreseedInput): string {
  const { topology: t, node } = input;
  const lan = parseIpv4Network(t.lan.cidr);
  const swap = !KUBERNETES_ROLES.includes(node.role);
  const lines: Array<[string, string, string]> = [
    [
      'preseed/early_command',
      'string',
      `echo "${INSTALLER_START_MARKER} node=${node.hostname} role=${node.role}" >/dev/ttyS0 || true`,
    ],
    ['debian-installer/locale', 'string', 'C.UTF-8'],
    ['debian-installer/language', 'string', 'en'],
    ['debian-installer/country', 'string', 'US'],
    ['keyboard-configuration/xkb-keymap', 'select', 'us'],
    ['hw-detect/load_firmware', 'boolean', 'false'],
    ['netcfg/choose_interface', 'select', 'auto'],
    ['netcfg/disable_autoconfig', 'boolean', 'true'],
    ['netcfg/get_ipaddress', 'string', node.ip],
    ['netcfg/get_netmask', 'string', netmask(lan.prefix)],
    ['netcfg/get_gateway', 'string', t.lan.gateway],
    ['netcfg/get_nameservers', 'string', t.lan.dns.join(' ')],
    ['netcfg/confirm_static', 'boolean', 'true'],
    ['netcfg/get_hostname', 'string', node.hostname],
    ['netcfg/get_domain', 'string', t.lan.domain],
    ['netcfg/hostname', 'string', node.hostname],
    ['netcfg/wireless_wep', 'string', ''],
    ['cdrom-detect/eject', 'boolean', 'false'],
    ['passwd/root-login', 'boolean', 'false'],
    ['passwd/make-user', 'boolean', 'true'],
    ['passwd/user-fullname', 'string', 'kubedos admin'],
    ['passwd/username', 'string', input.adminUser],
    // "!" is a locked password: the account exists for SSH keys and sudo, never for password logins.
    ['passwd/user-password-crypted', 'password', '!'],
    ['clock-setup/utc', 'boolean', 'true'],
    ['time/zone', 'string', 'Etc/UTC'],
    ['clock-setup/ntp', 'boolean', 'false'],
    ['partman-auto/method', 'string', 'regular'],
    ['partman-auto/choose_recipe', 'select', 'kubedos'],
    ['partman-auto/expert_recipe', 'string', recipe(swap)],
    ['partman-partitioning/choose_label', 'select', 'gpt'],
    ['partman-partitioning/default_label', 'string', 'gpt'],
    ['partman-partitioning/confirm_write_new_label', 'boolean', 'true'],
    ['partman-basicfilesystems/no_swap', 'boolean', 'false'],
    ['partman-efi/non_efi_system', 'boolean', 'true'],
    ['partman-lvm/device_remove_lvm', 'boolean', 'true'],
    ['partman-md/device_remove_md', 'boolean', 'true'],
    ['partman/choose_partition', 'select', 'finish'],
    ['partman/confirm', 'boolean', 'true'],
    ['partman/confirm_nooverwrite', 'boolean', 'true'],
    ['base-installer/install-recommends', 'boolean', 'false'],
    ['base-installer/kernel/image', 'string', 'linux-image-amd64'],
    // APT sees only the darksite snapshot on this disc: no network mirror, no security or updates services.
    ['apt-setup/use_mirror', 'boolean', 'false'],
    ['apt-setup/non-free-firmware', 'boolean', 'false'],
    ['apt-setup/non-free', 'boolean', 'false'],
    ['apt-setup/contrib', 'boolean', 'false'],
    ['apt-setup/services-select', 'multiselect', ''],
    ['apt-setup/disable-cdrom-entries', 'boolean', 'true'],
    ['apt-setup/local0/repository', 'string', `file:/media/cdrom ${DEFAULT_SUITE} main`],
    ['apt-setup/local0/comment', 'string', 'kubedos darksite snapshot'],
    ['apt-setup/local0/key', 'string', 'file:///cdrom/kubedos-darksite.gpg'],
    ['tasksel/first', 'multiselect', ''],
    ['pkgsel/run_tasksel', 'boolean', 'false'],
    ['pkgsel/include', 'string', input.packages.join(' ')],
    ['pkgsel/upgrade', 'select', 'none'],
    ['pkgsel/update-policy', 'select', 'none'],
    ['popularity-contest/participate', 'boolean', 'false'],
    ['grub-installer/only_debian', 'boolean', 'true'],
    ['grub-installer/with_other_os', 'boolean', 'false'],
    ['grub-installer/bootdev', 'string', 'default'],
    ['grub-installer/force-efi-extra-removable', 'boolean', 'true'],
    ['preseed/late_command', 'string', `sh /cdrom/${PAYLOAD_ISO_DIR}/install-payload.sh /cdrom /target`],
    ['finish-install/reboot_in_progress', 'note', ''],
  ];
  return (
    `# kubedos preseed for ${node.hostname} (${node.role}) in ${t.name}; generated, do not edit.\n` +
    lines.map(([q, type, value]) => `d-i ${q} ${type} ${value}`.trimEnd()).join('\n') +
    '\n'
  );
}
