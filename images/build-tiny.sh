#!/bin/sh
# Build the `tiny` image (README.md, "The tiny image") from Debian's packages: the kernel of
# linux-image-amd64, busybox-static, and the modules that show the first
# disk on virtio and SATA, in an initramfs whose init prints
#   LABCTL-BOOT-OK node=NAME virt=<vmx|svm|none> disk=<first bytes of the first disk>
# to the serial console, then stays up. Also a 1 MiB base disk whose first
# bytes read LABCTL-TINY-DISK, which node overlays are made on.
#
# Usage: images/build-tiny.sh [OUTDIR]     (default: images/tiny; as root)
# Writes OUTDIR/vmlinuz, OUTDIR/initrd.img, OUTDIR/disk.qcow2 and
# OUTDIR/SHA256SUMS, which labctl verifies them against (images/catalog.yaml
# gives tiny no sums: they are only known once it is built). Does nothing
# when SHA256SUMS exists and is newer than this script.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/tiny}
if [ -s "$OUT/SHA256SUMS" ] && [ "$OUT/SHA256SUMS" -nt "$0" ]; then
	exit 0
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
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
for m in virtio_pci virtio_blk ahci sd_mod; do add "$m"; done

R=root
mkdir -p $R/bin $R/dev $R/proc $R/sys $R/lib/modules
cp bb/bin/busybox $R/bin/busybox
for m in $ORDER; do cp "$(find_ko "$m")" $R/lib/modules/"$m".ko; done
echo "$ORDER" >$R/lib/modules/order
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
echo "LABCTL-BOOT-OK node=$node virt=$virt disk=$disk" >/dev/ttyS0
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
echo "tiny: $OUT (kernel $kver, modules:$ORDER)"
