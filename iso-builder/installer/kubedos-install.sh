#!/bin/bash
# kubedos image installer. It runs in the platform image booted live from the
# platform ISO (kernel command line "kubedos.install"), and writes that same
# image to this node's disk, made into this node by its seed: the small
# medium labelled KDSEED attached beside the ISO.
#
# Every check comes before the first write: a seed for another deployment, a
# missing seed, no disk or an ambiguous one, a disk too small, a disk with a
# foreign partition table (unless the seed says to wipe it), a broken image
# checksum: each is said on the serial console and in /run/kubedos-install.status
# (what the deployer reads through the guest agent), and the machine powers
# off with the disk untouched. A disk already installed for this deployment
# is never installed again.
set -euo pipefail

STATUS=/run/kubedos-install.status
SEED_MNT=/run/kubedos/seed
MEDIUM=/run/live/medium
TARGET=/run/kubedos/target

say() { echo "kubedos-install: $*"; }
# A JSON string: backslashes and quotes escaped, control characters as spaces.
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=$(printf '%s' "$s" | tr '\000-\037' ' ')
  printf '"%s"' "$s"
}
# status PHASE [REASON...]: the one status the deployer reads (iso-builder/installer/install-status.ts),
# written whole to $STATUS and said on the console after its mark.
status() {
  local phase=$1 line
  shift
  line=$(printf '{"phase":%s,"node":%s,"reason":%s}' "$(json_string "$phase")" "$(json_string "${NODE:-}")" "$(json_string "$*")")
  printf '%s\n' "$line" >"$STATUS.new" && mv -f "$STATUS.new" "$STATUS"
  echo "kubedos-install-status: $line"
}
finish() {
  sync
  # A deployer that watches through the guest agent (kubedos deploy on
  # Proxmox) reads the final status, then says it has: give it 20 s to.
  for _ in $(seq 20); do
    [ -e /run/kubedos-install.seen ] && break
    sleep 1
  done
  say "powering off"
  systemctl --no-block poweroff
  exit "$1"
}
refuse() {
  say "REFUSED: $1"
  say "nothing was written to the disk"
  status refused "$1"
  finish 1
}
trap 'say "FAILED at line $LINENO: $BASH_COMMAND"; status failed "line $LINENO: $BASH_COMMAND"; finish 1' ERR

status checking
say "starting"

# The ISO says which deployment and which image it carries.
[ -r "$MEDIUM/kubedos/deployment.env" ] || refuse "the boot medium has no kubedos/deployment.env: not a kubedos platform ISO"
# shellcheck disable=SC1091
. "$MEDIUM/kubedos/deployment.env"

# The seed: a second CD-ROM labelled KDSEED.
for _ in $(seq 1 20); do
  [ -e /dev/disk/by-label/KDSEED ] && break
  udevadm settle --timeout=2 || true
  sleep 1
done
[ -e /dev/disk/by-label/KDSEED ] || refuse "no seed medium (a CD-ROM labelled KDSEED): attach this node's seed ISO"
mkdir -p "$SEED_MNT"
mountpoint -q "$SEED_MNT" || mount -o ro /dev/disk/by-label/KDSEED "$SEED_MNT"
[ -r "$SEED_MNT/seed.env" ] || refuse "the seed medium has no seed.env"
# Read as data, never sourced: each known key, checked.
seed() { sed -n "s/^$1=\\([A-Za-z0-9._:/-]*\\)\$/\\1/p" "$SEED_MNT/seed.env" | head -n1; }
SEED_DEPLOYMENT=$(seed KUBEDOS_DEPLOYMENT)
NODE=$(seed KUBEDOS_NODE)
DISK=$(seed KUBEDOS_DISK)
WIPE=$(seed KUBEDOS_WIPE)
MIN_DISK_BYTES=$(seed KUBEDOS_MIN_DISK_BYTES)
ROOT_UUID=$(seed KUBEDOS_ROOT_UUID)
ESP_ID=$(seed KUBEDOS_ESP_ID)
[ -n "$NODE" ] && [ -n "$ROOT_UUID" ] && [ -n "$ESP_ID" ] || refuse "the seed's seed.env is incomplete"
[ "$SEED_DEPLOYMENT" = "$KUBEDOS_DEPLOYMENT" ] ||
  refuse "the seed is for deployment '$SEED_DEPLOYMENT', this ISO is for '$KUBEDOS_DEPLOYMENT': attach the right seed"
say "node $NODE of deployment $KUBEDOS_DEPLOYMENT"
status checking "node $NODE"

# The target disk: the seed names one, or "auto" takes the only fixed disk.
live_disk=$(lsblk -ndo PKNAME "$(findmnt -no SOURCE "$MEDIUM")" 2>/dev/null || true)
if [ "$DISK" = auto ] || [ -z "$DISK" ]; then
  mapfile -t disks < <(lsblk -dnpo NAME,TYPE,RM,RO | awk '$2 == "disk" && $3 == 0 && $4 == 0 { print $1 }' | grep -v "^/dev/${live_disk:-none}\$" || true)
  [ "${#disks[@]}" -gt 0 ] || refuse "no disk to install to"
  [ "${#disks[@]}" -eq 1 ] || refuse "more than one disk (${disks[*]}): name the node's disk in the topology"
  DISK=${disks[0]}
fi
[ -b "$DISK" ] || refuse "the seed's disk $DISK is not a block device here"
DISK=$(readlink -f "$DISK")
# The disk is this installer's alone from its first look to its last write: a
# BSD lock on it (systemd's block device locking: udev leaves a locked disk
# alone, and so does another installer), released when the installer ends.
LOCK_WAIT=30
lock_disk() {
  exec 9<"$DISK"
  flock --exclusive --wait "$LOCK_WAIT" 9 || refuse "disk $DISK is locked by another program (another installer?)"
}
lock_disk
size=$(blockdev --getsize64 "$DISK")
[ "$size" -ge "${MIN_DISK_BYTES:-0}" ] ||
  refuse "disk $DISK has $((size / 1048576)) MiB, the image needs at least $((MIN_DISK_BYTES / 1048576)) MiB"

# The partitions of $DISK by their GPT names: blkid reads the table itself, so
# this holds with or without udev's database.
partitions() { lsblk -lnpo NAME,TYPE "$DISK" | awk '$2 == "part" { print $1 }'; }
part_named() {
  local p
  for p in $(partitions); do
    if [ "$(blkid -p -o value -s PART_ENTRY_NAME "$p" 2>/dev/null || true)" = "$1" ]; then
      printf '%s\n' "$p"
      return 0
    fi
  done
}
part_names() {
  local p
  for p in $(partitions); do blkid -p -o value -s PART_ENTRY_NAME "$p" 2>/dev/null || echo '?'; done | sort | tr '\n' ' '
}

# What is on it already. blkid -p exits 2 when it finds nothing, 0 when it finds
# a signature, 8 when it finds several that disagree (ambivalent): only 2 is an
# empty disk. Checked again after the image checksum (minutes), right before the
# first write.
REINSTALL=0
WIPING=0
check_disk() {
  probe=0
  blkid -p "$DISK" >/dev/null 2>&1 || probe=$?
  [ "$probe" -eq 2 ] && return 0
  pttype=$(blkid -p -o value -s PTTYPE "$DISK" 2>/dev/null || true)
  [ "$probe" -eq 0 ] || pttype="${pttype:-signatures blkid cannot tell apart (exit $probe)}"
  root_part=$(part_named kubedos-root)
  installed=""
  if [ -n "$root_part" ]; then
    mkdir -p /run/kubedos/probe
    if mount -o ro "$root_part" /run/kubedos/probe 2>/dev/null; then
      installed=$(cat /run/kubedos/probe/etc/kubedos/installed 2>/dev/null || true)
      umount /run/kubedos/probe
    fi
  fi
  if [ "$installed" = "$KUBEDOS_DEPLOYMENT $NODE" ]; then
    say "$DISK already holds node $NODE of $KUBEDOS_DEPLOYMENT: not installing again; boot it from the disk"
    status installed "already: $NODE on $DISK"
    finish 0
  fi
  # Our own install of this node, cut short (power lost after partitioning): our two partitions and
  # nothing else, no install marker, and on them no filesystem or only the ones this seed makes.
  if [ -z "$installed" ] && [ "$pttype" = gpt ] && [ -n "$root_part" ]; then
    labels=$(part_names)
    esp_part=$(part_named kubedos-esp)
    root_fs=$(blkid -p -o value -s UUID "$root_part" 2>/dev/null || true)
    esp_fs=$(blkid -p -o value -s UUID "$esp_part" 2>/dev/null || true)
    if [ "$labels" = "kubedos-esp kubedos-root " ] &&
      { [ -z "$root_fs" ] || [ "$root_fs" = "$ROOT_UUID" ]; } &&
      { [ -z "$esp_fs" ] || [ "${esp_fs//-/}" = "${ESP_ID^^}" ]; }; then
      [ "$REINSTALL" = 1 ] || say "$DISK holds this node's own install, cut short: installing it again"
      REINSTALL=1
      return 0
    fi
  fi
  [ "$WIPE" = 1 ] ||
    refuse "disk $DISK has data (${pttype:-a filesystem}${installed:+, installed as '$installed'}): set wipe for this node to overwrite it"
  [ "$WIPING" = 1 ] || say "wiping $DISK (the seed says so)"
  WIPING=1
}
check_disk

# The image: the squashfs the live system runs from, checked against the ISO's record.
image="$MEDIUM/live/filesystem.squashfs"
status checking "the image"
say "checking the image checksum"
echo "$KUBEDOS_IMAGE_SHA256  $image" | sha256sum --check --status ||
  refuse "the image on the ISO does not match its checksum: the ISO is damaged, build or download it again"

# Nothing may have come onto the disk while the image was checked.
check_disk

# From here on the disk is written.
status installing "$NODE on $DISK"
say "partitioning $DISK (GPT: EFI system partition, root)"
wipefs --all --quiet "$DISK"
sfdisk --quiet --wipe always --label gpt "$DISK" <<EOF
size=256MiB, type=U, name=kubedos-esp
type=L, name=kubedos-root
EOF
# The kernel has the new partitions once sfdisk re-read the table; udev, kept
# off the locked disk, has no names for them yet: found by their GPT names.
for _ in $(seq 50); do
  esp=$(part_named kubedos-esp)
  root=$(part_named kubedos-root)
  [ -b "${esp:-/-}" ] && [ -b "${root:-/-}" ] && break
  sleep 0.2
done
if [ ! -b "${esp:-/-}" ] || [ ! -b "${root:-/-}" ]; then
  say "FAILED: the new partitions did not appear on $DISK"
  status failed "the new partitions did not appear on $DISK"
  finish 1
fi
mkfs.vfat -F 32 -i "$ESP_ID" -n KDESP "$esp" >/dev/null
mkfs.ext4 -q -F -U "$ROOT_UUID" -L kubedos-root "$root"
mkdir -p "$TARGET"
mount "$root" "$TARGET"
say "writing the platform image"
unsquashfs -no-progress -force -dest "$TARGET" "$image" >/dev/null

say "applying the seed"
tar --extract --preserve-permissions --numeric-owner --file "$SEED_MNT/seed.tar" --directory "$TARGET"
esp_uuid="${ESP_ID:0:4}-${ESP_ID:4:4}"
esp_uuid=${esp_uuid^^}
cat >"$TARGET/etc/fstab" <<EOF
# kubedos: written by the installer
UUID=$ROOT_UUID / ext4 errors=remount-ro 0 1
UUID=$esp_uuid /boot/efi vfat umask=0077 0 2
EOF
# The node's own machine-id is made on its first boot.
printf 'uninitialized\n' >"$TARGET/etc/machine-id"

say "filling the EFI system partition (shim, GRUB at the removable path)"
mkdir -p "$TARGET/boot/efi"
mount "$esp" "$TARGET/boot/efi"
mkdir -p "$TARGET/boot/efi/EFI/BOOT" "$TARGET/boot/efi/EFI/debian"
cp "$TARGET/usr/lib/shim/shimx64.efi.signed" "$TARGET/boot/efi/EFI/BOOT/BOOTX64.EFI"
cp "$TARGET/usr/lib/shim/mmx64.efi.signed" "$TARGET/boot/efi/EFI/BOOT/mmx64.efi"
cp "$TARGET/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" "$TARGET/boot/efi/EFI/BOOT/grubx64.efi"
# Debian's signed GRUB reads EFI/debian/grub.cfg; it finds the root by its filesystem UUID.
for cfg in "$TARGET/boot/efi/EFI/debian/grub.cfg" "$TARGET/boot/efi/EFI/BOOT/grub.cfg"; do
  cat >"$cfg" <<EOF
search --no-floppy --fs-uuid --set=root $ROOT_UUID
set prefix=(\$root)/boot/grub
configfile \$prefix/grub.cfg
EOF
done
kernel=$(cd "$TARGET/boot" && ls vmlinuz-* | sort -V | tail -n1)
initrd=initrd.img-${kernel#vmlinuz-}
mkdir -p "$TARGET/boot/grub"
cat >"$TARGET/boot/grub/grub.cfg" <<EOF
# kubedos: written by the installer
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=1
set default=0
menuentry 'kubedos $NODE' {
  search --no-floppy --fs-uuid --set=root $ROOT_UUID
  linux /boot/$kernel root=UUID=$ROOT_UUID ro console=tty0 console=ttyS0,115200n8
  initrd /boot/$initrd
}
EOF
# The install marker last, once everything else is on the disk: power lost before it leaves an
# install this script recognises as its own and does again.
umount "$TARGET/boot/efi"
sync
printf '%s %s\n' "$KUBEDOS_DEPLOYMENT" "$NODE" >"$TARGET/etc/kubedos/installed.tmp"
sync
mv "$TARGET/etc/kubedos/installed.tmp" "$TARGET/etc/kubedos/installed"
umount "$TARGET"
sync
say "installed $NODE on $DISK"
status installed "$NODE on $DISK"
finish 0
