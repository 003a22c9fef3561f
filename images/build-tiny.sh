#!/bin/sh
# Build the `tiny` image (README.md, "The tiny image") from Debian's packages: the kernel of
# linux-image-amd64, busybox-static, the modules that show the first disk on
# virtio and SATA, and KVM's (kvm, kvm_intel, kvm_amd), with images/l2probe.c
# built static by this host's cc, in an initramfs whose init loads the KVM
# module of the CPU's virt flag, runs an L2 guest through /dev/kvm and prints
#   LABCTL-BOOT-OK node=NAME virt=<vmx|svm|none> l2=<ok|none|fail-REASON> disk=<first bytes of the first disk>
# to the serial console, then stays up. Also a 1 MiB base disk whose first
# bytes read LABCTL-TINY-DISK, which node overlays are made on.
#
# Usage: images/build-tiny.sh [OUTDIR]     (default: images/tiny; as root)
# Writes OUTDIR/vmlinuz, OUTDIR/initrd.img, OUTDIR/disk.qcow2 and
# OUTDIR/SHA256SUMS, which labctl verifies them against (images/catalog.yaml
# gives tiny no sums: they are only known once it is built). Does nothing
# when SHA256SUMS exists and is newer than this script and l2probe.c.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/tiny}
if [ -s "$OUT/SHA256SUMS" ] && [ "$OUT/SHA256SUMS" -nt "$0" ] && [ "$OUT/SHA256SUMS" -nt "$HERE/l2probe.c" ]; then
	exit 0
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# the probe first: a build host without a static libc fails before downloading
${CC:-cc} -static -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$W/l2probe" "$HERE/l2probe.c"
strip "$W/l2probe"
cd "$W"

kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1; }
kpkg=$(kernel_pkg)
# a fresh machine may have no package lists yet
[ -n "$kpkg" ] || { apt-get update -qq && kpkg=$(kernel_pkg); }
[ -n "$kpkg" ] || { echo "build-tiny: cannot find the kernel package behind linux-image-amd64" >&2; exit 1; }
# apt's sandbox user cannot write a mktemp directory: download as root, quietly
apt-get download -q "$kpkg" busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
dpkg-deb -x "$kpkg"_*.deb k
dpkg-deb -x busybox-static_*.deb bb
kver=$(ls k/lib/modules)

# modules in dependency order, from each module's own "depends=" field
moddir=k/lib/modules/$kver/kernel
# a module's name may say _ where its file says - (t10_pi is t10-pi.ko), or the reverse
find_ko() { find "$moddir" \( -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" -o -name "$(echo "$1" | tr - _).ko" \) | head -n 1; }
deps() { grep -a -o 'depends=[a-z0-9_,-]*' "$(find_ko "$1")" | head -n 1 | cut -d= -f2 | tr ',' ' '; }
ORDER=""
add() {
	case " $ORDER " in *" $1 "*) return ;; esac
	for d in $(deps "$1"); do add "$d"; done
	ORDER="$ORDER $1"
}
order() { ORDER=""; for m in "$@"; do add "$m"; done; echo "$ORDER"; }
disk=$(order virtio_pci virtio_blk ahci sd_mod)
# loaded only when the CPU shows the flag, so a node without it boots as fast as before
svm=$(order kvm_amd)
vmx=$(order kvm_intel)

R=root
mkdir -p $R/bin $R/dev $R/proc $R/sys $R/lib/modules
cp bb/bin/busybox $R/bin/busybox
cp l2probe $R/bin/l2probe
for m in $disk $svm $vmx; do cp "$(find_ko "$m")" $R/lib/modules/"$m".ko; done
echo "$disk" >$R/lib/modules/order
echo "$svm" >$R/lib/modules/svm.order
echo "$vmx" >$R/lib/modules/vmx.order
cat >$R/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done
node=none
for w in $(cat /proc/cmdline); do
	case $w in labctl.node=*) node=${w#labctl.node=} ;; esac
done
virt=none
grep -qw vmx /proc/cpuinfo && virt=vmx
grep -qw svm /proc/cpuinfo && virt=svm
# the nested proof: KVM's module for the flag loads and runs an L2 (l2probe)
l2=none
if [ $virt != none ]; then
	t0=$(cut -d' ' -f1 /proc/uptime)
	l2=
	for m in $(cat /lib/modules/$virt.order); do
		# a module already there (built in, or loaded) is no failure
		out=$(insmod /lib/modules/$m.ko 2>&1) || grep -q "^$m " /proc/modules || {
			echo "labctl-l2: insmod $m: $out" >/dev/ttyS0
			dmesg | grep -i -e kvm -e svm -e vmx | tail -n 3 >/dev/ttyS0
			l2=fail-modprobe
			break
		}
	done
	if [ -z "$l2" ]; then
		l2=$(/bin/l2probe 2>/dev/ttyS0)
		[ -n "$l2" ] || l2=fail-probe
	fi
	echo "labctl-l2: $l2 in $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.2f", b - a }')s (modules and probe)" >/dev/ttyS0
fi
disk=none
i=0
while [ $i -lt 50 ]; do
	for d in /dev/vda /dev/sda; do
		if [ -b $d ]; then
			disk=$(head -c 16 $d | tr -c 'A-Za-z0-9-' '.')
			break 2
		fi
	done
	sleep 0.1
	i=$((i + 1))
done
echo "LABCTL-BOOT-OK node=$node virt=$virt l2=$l2 disk=$disk" >/dev/ttyS0
while :; do sleep 3600; done
INIT
chmod +x $R/init
(cd $R && find . | ./bin/busybox cpio -o -H newc 2>/dev/null) | gzip -9 >initrd.img

printf 'LABCTL-TINY-DISK' >disk.raw
truncate -s 1M disk.raw
qemu-img convert -q -f raw -O qcow2 disk.raw disk.qcow2

mkdir -p "$OUT"
# no SHA256SUMS while the files change: a build stopped halfway is redone, and
# a pull meanwhile finds no sums rather than old ones
rm -f "$OUT/SHA256SUMS"
cp k/boot/vmlinuz-"$kver" "$OUT/vmlinuz"
cp initrd.img disk.qcow2 "$OUT/"
(cd "$OUT" && sha256sum vmlinuz initrd.img disk.qcow2 >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
echo "tiny: $OUT (kernel $kver, modules:$disk; svm:$svm; vmx:$vmx)"
