#!/bin/sh
# Build the `debian` image (issue 12): Debian 12 with its kernel, systemd,
# cloud-init (NoCloud only), openssh-server, sudo, python3, QEMU/KVM and
# qemu-guest-agent, made with mmdebstrap from the Debian archive this
# machine's apt is configured for, and booted like `tiny`: directly from the
# image's own kernel and initramfs, root on the node's overlay of a qcow2 base
# disk. When cloud-init has finished and ssh is up, a unit prints one line to
# the serial console:
#   LABCTL-BOOT-OK node=HOSTNAME virt=<vmx|svm|none> l2=<ok|none|fail-REASON> disk=<first 16 bytes of the root disk>
# The root disk's first 16 bytes (the ext4 boot block, unused) read
# LABCTL-DEBIAN-12, so the line shows the node runs on this image's disk.
#
# Usage: images/build-debian.sh [--variant=xen] [OUTDIR]   (as root)
# Default OUTDIR: images/debian (images/debian-xen for the xen variant).
# Writes OUTDIR/vmlinuz, OUTDIR/initrd.img, OUTDIR/disk.qcow2 and
# OUTDIR/SHA256SUMS. Does nothing when SHA256SUMS exists and is newer than
# this script (and than images/l2probe.c, which goes into the image).
# DEBIAN_SOURCES=FILE names the apt sources (one-line or deb822 .sources) to
# build from; by default the Debian entries apt on this machine uses.
#
# --variant=xen (images/build-debian-xen.sh) is the same Debian, cloud-init
# and sshd, plus Xen (xen-system-amd64, qemu-system-xen for HVM guests) and
# no QEMU/KVM or /dev/kvm probe, on a disk that boots itself: an MBR with
# BIOS GRUB, whose one entry starts Xen (multiboot2) with the Debian kernel
# as dom0. A unit starts an L2 with `xl create` (PVH, or PV when Xen has no
# hap) and prints one line:
#   LABCTL-BOOT-OK node=HOSTNAME virt=<vmx|svm|none> hv=xen l2=<ok|fail-REASON> l2type=<pv|pvh> disk=LABCTL-DEBXEN-12
# Writes OUTDIR/disk.qcow2 and OUTDIR/SHA256SUMS only.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VARIANT=
case "${1:-}" in
--variant=xen) VARIANT=xen; shift ;;
--variant=*) echo "build-debian: unknown variant '${1#--variant=}'" >&2; exit 2 ;;
esac
NAME=debian${VARIANT:+-$VARIANT}
OUT=${1:-$HERE/$NAME}
SUITE=bookworm
# the xen variant's script only calls this one: either being newer rebuilds
SELF=$HERE/build-debian.sh
if [ -s "$OUT/SHA256SUMS" ] && [ "$OUT/SHA256SUMS" -nt "$SELF" ] &&
	{ [ -z "$VARIANT" ] || { [ "$OUT/SHA256SUMS" -nt "$HERE/build-debian-$VARIANT.sh" ] &&
		[ "$OUT/SHA256SUMS" -nt "$HERE/debian-$VARIANT-parts.sh" ]; }; } &&
	{ [ -n "$VARIANT" ] || [ ! -f "$HERE/l2probe.c" ] || [ "$OUT/SHA256SUMS" -nt "$HERE/l2probe.c" ]; }; then
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-$NAME: run as root (mmdebstrap, file ownership)" >&2; exit 1; }
for t in mmdebstrap mkfs.ext4 qemu-img; do
	command -v $t >/dev/null || { echo "build-debian: needs $t (apt-get install mmdebstrap e2fsprogs qemu-utils)" >&2; exit 1; }
done
start=$(date +%s)
# the tree is ~1 GB: not on a tmpfs /tmp
W=$(mktemp -d /var/tmp/build-$NAME.XXXXXX)
[ -n "${BUILD_DEBIAN_KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
R=$W/root

# Debian's archive only, through the mirror this machine's apt uses:
# the enabled sources files that name $SUITE on a Debian mirror.
if [ -z "${DEBIAN_SOURCES:-}" ]; then
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		grep -v '^[[:space:]]*#' "$f" | grep -q "$SUITE" || continue
		grep -q 'debian-archive-keyring\|/debian\b\|/debian-security\b\|/debian/\? ' "$f" || continue
		DEBIAN_SOURCES="${DEBIAN_SOURCES:+$DEBIAN_SOURCES }$f"
	done
fi
[ -n "${DEBIAN_SOURCES:-}" ] || { echo "build-debian: no apt sources for Debian $SUITE found; set DEBIAN_SOURCES=FILE" >&2; exit 1; }

# The first boot under TCG is dominated by what the initramfs and
# cloud-init have to do, so both are cut to what a lab node needs.
mkdir -p "$W/etc-initramfs" "$W/files"
cat >"$W/etc-initramfs/labctl.conf" <<'EOF'
# labctl: only the listed modules (the root disk on virtio or SATA, ext4);
# "most" makes an initramfs many times larger, slow to unpack under TCG
MODULES=list
COMPRESS=zstd
EOF
cat >"$W/etc-initramfs/modules" <<'EOF'
virtio_pci
virtio_blk
virtio_scsi
ahci
sd_mod
ext4
crc32c_generic
EOF

PACKAGES="linux-image-amd64,initramfs-tools,zstd,systemd-sysv,udev,dbus,systemd-resolved,\
cloud-init,openssh-server,sudo,python3,iproute2,e2fsprogs,kmod,ca-certificates"
if [ "$VARIANT" = xen ]; then
	# grub-pc-bin: BIOS GRUB's modules only (grub-pc would install itself);
	# busybox-static and cpio make the L2's initramfs
	PACKAGES="$PACKAGES,xen-system-amd64,qemu-system-xen,grub-pc-bin,busybox-static,cpio"
else
	PACKAGES="$PACKAGES,qemu-system-x86,qemu-utils,qemu-guest-agent"
fi

# Documentation, translations, and the kernel drivers no VM has (graphics,
# sound, media, wireless, bluetooth) never reach the disk.
set -- \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/locale.alias' \
	--dpkgopt='path-exclude=/usr/share/lintian/*' \
	--dpkgopt='path-exclude=/usr/share/i18n/charmaps/*' \
	--dpkgopt='path-exclude=/usr/share/i18n/locales/*' \
	--dpkgopt='path-include=/usr/share/i18n/charmaps/UTF-8.gz' \
	--dpkgopt='path-include=/usr/share/i18n/locales/C'
for d in drivers/gpu drivers/media drivers/net/wireless drivers/staging drivers/bluetooth \
	drivers/isdn drivers/iio drivers/input/touchscreen drivers/video/fbdev sound \
	net/wireless net/mac80211 net/bluetooth; do
	set -- "$@" --dpkgopt="path-exclude=/lib/modules/*/kernel/$d/*" \
		--dpkgopt="path-exclude=/usr/lib/modules/*/kernel/$d/*"
done

# the configuration the customize hook installs
cat >"$W/files/cloud.cfg" <<'EOF'
# labctl's debian image: the NoCloud datasource and only the modules a lab
# node needs (hostname, users and keys, files, commands, packages), so
# cloud-init's four stages take seconds under TCG rather than minutes.
datasource_list: [NoCloud]
users: [default]
disable_root: true
preserve_hostname: false
manage_etc_hosts: true
ssh_pwauth: false
ssh_deletekeys: true
# one host key: an RSA key takes many seconds to make under TCG
ssh_genkeytypes: [ed25519]
cloud_init_modules:
  - bootcmd
  - write_files
  - resizefs
  - set_hostname
  - update_hostname
  - update_etc_hosts
  - users_groups
  - ssh
# cloud-config.service is masked: each stage is a Python start that imports
# all of cloud-init (12 s and more under TCG), so the config stage's modules
# run at the start of the final stage, before scripts_user runs runcmd's script
cloud_config_modules: []
cloud_final_modules:
  - package_update_upgrade_install
  - runcmd
  - write_files_deferred
  - scripts_per_once
  - scripts_per_boot
  - scripts_per_instance
  - scripts_user
  - final_message
system_info:
  distro: debian
  default_user:
    name: debian
    lock_passwd: true
    gecos: Debian
    groups: [adm, sudo]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
  network:
    renderers: [networkd]
  paths:
    cloud_dir: /var/lib/cloud/
    templates_dir: /etc/cloud/templates/
  ssh_svcname: ssh
EOF
if [ "$VARIANT" = xen ]; then
	. "$HERE/debian-xen-parts.sh"
else
cat >"$W/files/labctl-ready" <<'EOF'
#!/bin/sh
# The one line labctl waits for on the serial console (see build-debian.sh).
node=$(hostname)
virt=none
grep -qw vmx /proc/cpuinfo && virt=vmx
grep -qw svm /proc/cpuinfo && virt=svm
# as tiny: no virt flag, nothing to try (l2=none); else KVM's module, then the probe
l2=none
if [ "$virt" != none ] && [ -x /usr/local/sbin/labctl-l2probe ]; then
	mod=kvm_amd
	[ "$virt" = vmx ] && mod=kvm_intel
	if ! modprobe -q "$mod"; then
		l2=fail-modprobe
	else
		l2=$(timeout 120 /usr/local/sbin/labctl-l2probe 2>/dev/null | head -n 1 | tr -c 'A-Za-z0-9_.\n-' '-')
		l2=${l2:-fail-probe}
	fi
fi
root=$(findmnt -n -o SOURCE /)
disk=$(head -c 16 "$root" 2>/dev/null | tr -c 'A-Za-z0-9-' '.')
line="LABCTL-BOOT-OK node=$node virt=$virt l2=$l2 disk=${disk:-$root}"
echo "$line"
# straight to the console, not through the journal (which would prefix it);
# a newline first, as the login prompt may have left the cursor mid-line
printf '\n%s\n' "$line" >/dev/console
EOF
fi
cat >"$W/files/labctl-ready.service" <<'EOF'
[Unit]
Description=Say on the serial console that this labctl node is ready
# cloud-final.service is ordered after multi-user.target, so this unit must
# not be ordered before it (as units a target wants are by default)
DefaultDependencies=no
Wants=basic.target
After=basic.target cloud-final.service ssh.service xen.service
Conflicts=shutdown.target
Before=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/labctl-ready
StandardOutput=journal

[Install]
WantedBy=multi-user.target
EOF

cat >"$W/customize.sh" <<'EOF'
#!/bin/sh
# mmdebstrap's customize hook: $1 is the finished tree, $2 the files above
set -eu
R=$1 F=$2 L2=$3 HOST=$4
install -m 0644 "$F/cloud.cfg" "$R/etc/cloud/cloud.cfg"
# the debconf-made list of datasources would win over cloud.cfg
printf 'datasource_list: [ NoCloud ]\n' >"$R/etc/cloud/cloud.cfg.d/90_dpkg.cfg"
install -m 0755 "$F/labctl-ready" "$R/usr/local/sbin/labctl-ready"
install -m 0644 "$F/labctl-ready.service" "$R/etc/systemd/system/labctl-ready.service"
if [ -n "$L2" ]; then
	cc -static -O2 -o "$R/usr/local/sbin/labctl-l2probe" "$L2"
	strip "$R/usr/local/sbin/labctl-l2probe"
fi

echo "$HOST" >"$R/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$HOST" >"$R/etc/hosts"
[ ! -x "$F/customize-variant" ] || "$F/customize-variant" "$R" "$F"
printf 'LABEL=labctl-root\t/\text4\tdefaults,errors=remount-ro\t0 1\n' >"$R/etc/fstab"

# every node makes its own host key (cloud-init's ssh module, before ssh
# starts); without cloud-init, ssh makes one itself rather than not starting
rm -f "$R"/etc/ssh/ssh_host_*
printf 'HostKey /etc/ssh/ssh_host_ed25519_key\n' >"$R/etc/ssh/sshd_config.d/labctl.conf"
mkdir -p "$R/etc/systemd/system/ssh.service.d"
cat >"$R/etc/systemd/system/ssh.service.d/labctl.conf" <<'UNIT'
[Service]
ExecStartPre=-/bin/sh -c 'test -s /etc/ssh/ssh_host_ed25519_key || ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key'
UNIT
# one configured link is enough to go on (VF NICs are left unconfigured)
mkdir -p "$R/etc/systemd/system/systemd-networkd-wait-online.service.d"
cat >"$R/etc/systemd/system/systemd-networkd-wait-online.service.d/labctl.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=30
UNIT

chroot "$R" systemctl mask cloud-config.service
# cloud-init always runs (labctl gives every node a seed): its generator's
# ds-identify, a long shell script, runs before any unit can start
chroot "$R" dpkg-divert --local --rename --divert /usr/lib/cloud-init/cloud-init-generator.labctl-off \
	--add /lib/systemd/system-generators/cloud-init-generator >/dev/null
ln -sf /lib/systemd/system/cloud-init.target "$R/etc/systemd/system/multi-user.target.wants/cloud-init.target"
# cloud-init's entry point without setuptools' look-up of its own metadata
chroot "$R" dpkg-divert --local --rename --add /usr/bin/cloud-init >/dev/null
cat >"$R/usr/bin/cloud-init" <<'ENTRY'
#!/usr/bin/python3
# labctl: /usr/bin/cloud-init.distrib without the importlib.metadata look-up
# of its entry point, which costs seconds in each stage under TCG
import sys

from cloudinit.cmd.main import main

sys.exit(main())
ENTRY
chmod 0755 "$R/usr/bin/cloud-init"
# drivers of the q35 chipset and PC bits a lab node does not use: udev
# would load them while the first boot is busiest
printf 'blacklist %s\n' iTCO_wdt iTCO_vendor_support lpc_ich i2c_i801 i2c_smbus pcspkr \
	joydev serio_raw >"$R/etc/modprobe.d/labctl.conf"
chroot "$R" systemctl enable systemd-networkd.service systemd-resolved.service labctl-ready.service
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer; do
	chroot "$R" systemctl disable "$u" 2>/dev/null || true
done
# each node gets its own machine-id (and so its own DHCP client id)
: >"$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id"
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/debconf/*-old \
	"$R"/var/log/*.log "$R"/var/log/apt/*
EOF
chmod +x "$W/customize.sh"
L2=
# the Xen image proves Xen's L2, not KVM's: no /dev/kvm probe in it
[ -z "$VARIANT" ] && [ -f "$HERE/l2probe.c" ] && L2=$HERE/l2probe.c

# Packages are kept between builds (apt checks each against the archive's
# sums and fetches what changed): the download is most of a first build.
CACHE=${DEBIAN_DEB_CACHE:-/var/cache/labctl/$NAME-debs}
mkdir -p "$CACHE"
# a variant's first build starts from what the plain build fetched
BASE_CACHE=$CACHE
[ -z "$VARIANT" ] || [ -n "$(ls "$CACHE")" ] || BASE_CACHE=${DEBIAN_DEB_CACHE:-/var/cache/labctl/debian-debs}
cat >"$W/setup.sh" <<'EOF'
#!/bin/sh
# mmdebstrap's setup hook: $1 is the empty tree, $2 the work directory, $3 the package cache
set -eu
mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d" "$1/var/cache/apt/archives"
cp "$2/etc-initramfs/labctl.conf" "$1/etc/initramfs-tools/conf.d/"
cp "$2/etc-initramfs/modules" "$1/usr/share/initramfs-tools/modules.d/labctl"
for f in "$3"/*.deb; do
	[ -f "$f" ] && { ln "$f" "$1/var/cache/apt/archives/" 2>/dev/null || cp "$f" "$1/var/cache/apt/archives/"; }
done
exit 0
EOF
cat >"$W/keep-debs.sh" <<'EOF'
#!/bin/sh
# mmdebstrap's customize hook: the cache becomes what this build installed
set -eu
rm -f "$2"/*.deb
for f in "$1"/var/cache/apt/archives/*.deb; do
	[ -f "$f" ] && { ln "$f" "$2/" 2>/dev/null || cp "$f" "$2/"; }
done
exit 0
EOF
chmod +x "$W/setup.sh" "$W/keep-debs.sh"

mmdebstrap --mode=root --variant=minbase --format=directory \
	--aptopt='APT::Install-Recommends "false"' --skip=essential/unlink \
	--include="$PACKAGES" \
	--setup-hook="'$W/setup.sh' \"\$1\" '$W' '$BASE_CACHE'" \
	--customize-hook="'$W/keep-debs.sh' \"\$1\" '$CACHE'" \
	--customize-hook="'$W/customize.sh' \"\$1\" '$W/files' '$L2' '$NAME'" \
	"$@" "$SUITE" "$R" $DEBIAN_SOURCES
t_strap=$(date +%s)

kver=$(ls "$R/lib/modules")
# the initramfs must find the root disk on virtio and on SATA
initrd=$R/boot/initrd.img-$kver
for m in virtio_pci virtio_blk ahci ext4; do
	chroot "$R" lsinitramfs "/boot/initrd.img-$kver" | grep -q "/$m\.ko" ||
		{ echo "build-$NAME: the initramfs has no $m module" >&2; exit 1; }
done
isize=$(du -k "$initrd" | cut -f1)
MARK=LABCTL-DEBIAN-12
FILES="vmlinuz initrd.img disk.qcow2"
if [ "$VARIANT" = xen ]; then
	# the disk boots itself: kernel and initrd stay in /boot for GRUB
	MARK=LABCTL-DEBXEN-12
	FILES=disk.qcow2
	xen_grub_cfg "$R" "$kver"
else
	cp "$R/boot/vmlinuz-$kver" "$W/vmlinuz"
	cp "$initrd" "$W/initrd.img"
	rm -f "$R"/boot/initrd.img-*
fi

# the file system: what the tree holds plus room to work in, under 1.5 GiB
used=$(du -s -B1M "$R" | cut -f1)
size=$((used + used / 4 + 256))
[ $size -le 1400 ] || { echo "build-$NAME: the tree is $used MiB, too big" >&2; exit 1; }
mkfs.ext4 -q -F -L labctl-root -m 1 -d "$R" "$W/disk.raw" "${size}M"
# the first 16 bytes of the file system (its unused boot block) name the image
printf '%s' "$MARK" | dd of="$W/disk.raw" conv=notrunc status=none
[ "$VARIANT" != xen ] || xen_bios_disk "$R" "$W/disk.raw"
# compressed clusters: QEMU inflates them on the host, the guest never sees it
qemu-img convert -q -c -f raw -O qcow2 -o compression_type=zstd "$W/disk.raw" "$W/disk.qcow2" 2>/dev/null ||
	qemu-img convert -q -c -f raw -O qcow2 "$W/disk.raw" "$W/disk.qcow2"

mkdir -p "$OUT"
rm -f "$OUT/SHA256SUMS"
for f in $FILES; do cp "$W/$f" "$OUT/"; done
(cd "$OUT" && sha256sum $FILES >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
end=$(date +%s)
echo "$NAME: $OUT (kernel $kver; tree $used MiB, disk ${size} MiB virtual," \
	"$(du -m "$OUT/disk.qcow2" | cut -f1) MiB qcow2, initrd $isize KiB;" \
	"mmdebstrap $((t_strap - start)) s, total $((end - start)) s)"
