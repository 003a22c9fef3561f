#!/bin/bash
# Boot the `debian` image once under QEMU, without libvirt or labctl, the
# way labctl boots it (its kernel, initrd and cmdline from the catalog, the
# root disk an overlay of its disk.qcow2, a NoCloud seed on a CD-ROM), and
# measure from QEMU's start:
#   - the console's LABCTL-BOOT-OK line (the image's ready line),
#   - cloud-init's "finished" message on the console,
#   - the first SSH banner through a user-mode host forward;
# then check over ssh as the seed's user `labctl`: hostname, sudo, /dev/kvm
# (the node's CPU has svm), python3, the seed's runcmd ran, cloud-init done.
# Exit 0 only when every check passed.
#
# Usage: bench/debian-boot.sh [IMAGEDIR]     (default images/debian; make image-debian)
# Environment: SMP (default 2, like kind kvm), MEM (MiB, default 1536),
# BUS (virtio, the default: the root is /dev/vda; or sata: /dev/sda),
# DISK (the overlay's size, default 10G like labctl's default disk: cloud-init
# grows the root file system to it),
# ACCEL (default tcg; kvm where there is one), TIMEOUT (s, default 300),
# KEEP=1 keeps the work directory (console log, overlay) and says where.
set -euo pipefail
cd "$(dirname "$0")/.."
IMG=${1:-images/debian}
SMP=${SMP:-2}
MEM=${MEM:-1536}
BUS=${BUS:-virtio}
DISK=${DISK:-10G}
case $BUS in
virtio | sata) ;;
*) echo "debian-boot: BUS is virtio or sata" >&2; exit 2 ;;
esac
ACCEL=${ACCEL:-tcg}
TIMEOUT=${TIMEOUT:-300}
NODE=bootnode
MAC=52:54:00:4c:41:42

for f in vmlinuz initrd.img disk.qcow2; do
	[ -s "$IMG/$f" ] || { echo "debian-boot: no $IMG/$f (make image-debian)" >&2; exit 1; }
done
for t in qemu-system-x86_64 qemu-img ssh ssh-keygen python3; do
	command -v $t >/dev/null || { echo "debian-boot: needs $t" >&2; exit 1; }
done
if command -v genisoimage >/dev/null; then
	mkiso() { genisoimage -quiet -output "$1" -volid cidata -joliet -rock "${@:2}"; }
elif command -v xorriso >/dev/null; then
	mkiso() { xorriso -as mkisofs -quiet -output "$1" -volid cidata -joliet -rock "${@:2}"; }
else
	echo "debian-boot: needs genisoimage or xorriso" >&2
	exit 1
fi
# the kernel command line is the catalog's, as labctl renders it
CMDLINE=$(sed -n '/^  debian:/,/^  [a-z]/s/^ *cmdline: *"\(.*\)".*/\1/p' images/catalog.yaml | head -n 1)
[ -n "$CMDLINE" ] || { echo "debian-boot: no cmdline for debian in images/catalog.yaml" >&2; exit 1; }

W=$(mktemp -d)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "debian-boot: kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -C debian-boot -f "$W/key"
mkdir "$W/seed"
printf 'instance-id: debian-boot-%s\nlocal-hostname: %s\n' "$$" "$NODE" >"$W/seed/meta-data"
cat >"$W/seed/user-data" <<EOF
#cloud-config
users:
  - name: labctl
    shell: /bin/bash
    sudo: "ALL=(ALL) NOPASSWD:ALL"
    lock_passwd: true
    ssh_authorized_keys:
      - $(cat "$W/key.pub")
runcmd:
  - [touch, /run/debian-boot-runcmd]
EOF
cat >"$W/seed/network-config" <<EOF
version: 2
ethernets:
  nic0:
    match:
      macaddress: "$MAC"
    dhcp4: true
EOF
mkiso "$W/seed.iso" "$W/seed/meta-data" "$W/seed/user-data" "$W/seed/network-config"
qemu-img create -q -f qcow2 -F qcow2 -b "$(realpath "$IMG/disk.qcow2")" "$W/root.qcow2" "$DISK"
if [ "$BUS" = sata ]; then # the first SATA port: /dev/sda
	ROOTDEV=(-drive "file=$W/root.qcow2,format=qcow2,if=none,id=root" -device ide-hd,drive=root,bus=ide.0)
else
	ROOTDEV=(-drive "file=$W/root.qcow2,format=qcow2,if=virtio")
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

t0=$(date +%s.%N)
qemu-system-x86_64 -name "debian-boot-$$" -machine q35 -accel "$ACCEL" -cpu qemu64,+svm \
	-smp "$SMP" -m "$MEM" -nodefaults -display none -monitor none \
	-serial "file:$W/console.log" \
	-kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" -append "$CMDLINE labctl.node=$NODE" \
	"${ROOTDEV[@]}" \
	-drive "file=$W/seed.iso,format=raw,if=none,id=seed,media=cdrom,readonly=on" \
	-device ide-cd,drive=seed,bus=ide.2 \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:22" \
	-device "virtio-net-pci,netdev=n0,mac=$MAC" &
QPID=$!

since() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(date +%s.%N)" "$t0"; }
# slirp accepts every connection; only sshd sends a banner
banner() { timeout 3 python3 - "$PORT" <<'PY' 2>/dev/null
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
sys.exit(0 if s.recv(4) == b"SSH-" else 1)
PY
}
t_ready= t_ssh= t_ci=
while [ -z "$t_ready" ] || [ -z "$t_ssh" ] || [ -z "$t_ci" ]; do
	kill -0 "$QPID" 2>/dev/null || { echo "debian-boot: QEMU exited" >&2; tail -n 20 "$W/console.log" >&2; exit 1; }
	[ -z "$t_ready" ] && grep -qs '^LABCTL-BOOT-OK ' "$W/console.log" && t_ready=$(since)
	[ -z "$t_ci" ] && grep -qs 'Cloud-init v\. .* finished at' "$W/console.log" && t_ci=$(since)
	[ -z "$t_ssh" ] && banner && t_ssh=$(since)
	if [ "$(since | cut -d. -f1)" -ge "$TIMEOUT" ]; then
		echo "debian-boot: not ready after ${TIMEOUT}s (ready=${t_ready:--} ssh=${t_ssh:--} cloud-init=${t_ci:--})" >&2
		tail -n 30 "$W/console.log" >&2
		exit 1
	fi
	sleep 0.5
done

fail=0
check() { # WHAT EXPECTED COMMAND...: runs COMMAND in the node
	local what=$1 want=$2 got
	shift 2
	got=$(ssh -q -i "$W/key" -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=20 labctl@127.0.0.1 "$@" 2>&1) || got="FAILED: $got"
	if [ "$got" = "$want" ]; then
		echo "ok   $what: $got"
	else
		echo "FAIL $what: expected '$want', got '$got'"
		fail=1
	fi
}
line=$(grep '^LABCTL-BOOT-OK ' "$W/console.log" | tr -d '\r')
n=$(printf '%s\n' "$line" | wc -l)
if [ "$n" = 1 ] && printf '%s\n' "$line" |
	grep -Eq "^LABCTL-BOOT-OK node=$NODE virt=svm l2=[a-z0-9_.-]+ disk=LABCTL-DEBIAN-12$"; then
	echo "ok   ready line: $line"
else
	echo "FAIL ready line ($n of them): $line"
	fail=1
fi
check "ssh hostname" "$NODE" hostname
check "sudo" root sudo -n id -un
# udev loads kvm_amd for a CPU with svm: no modprobe needed
check "/dev/kvm" yes 'test -c /dev/kvm && echo yes || { sudo -n modprobe kvm_amd; test -c /dev/kvm && echo only-after-modprobe; }'
check "python3" 3 "python3 -c 'print(1 + 2)'"
check "runcmd ran" yes 'test -e /run/debian-boot-runcmd && echo yes'
check "cloud-init status" "status: done" 'cloud-init status'
check "root grown to the disk" yes 'test "$(df -B1M --output=size / | tail -n 1)" -gt "$(($(lsblk -bdno SIZE "$(findmnt -no SOURCE /)") / 1048576 * 9 / 10))" && echo yes'
check "networkd" yes 'systemctl is-active -q systemd-networkd && test ! -e /etc/network/interfaces && echo yes'
check "no failed units" "" 'systemctl --failed --no-legend --plain'
echo "debian-boot: SMP=$SMP MEM=${MEM}M ACCEL=$ACCEL BUS=$BUS DISK=$DISK: ready line ${t_ready}s, cloud-init finished ${t_ci}s, ssh banner ${t_ssh}s after QEMU started"
exit $fail
