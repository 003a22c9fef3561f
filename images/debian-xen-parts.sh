# What images/build-debian.sh --variant=xen adds to the debian image; sourced
# by it (uses its $W). Writes the boot unit's script, the hook that puts Xen's
# configuration and the L2 kit into the tree, and defines xen_grub_cfg and
# xen_bios_disk, which make the disk boot Xen itself: libvirt's direct kernel
# boot carries one initrd, while Xen needs the dom0 kernel and its initrd as
# two multiboot modules.

cat >"$W/files/labctl-ready" <<'EOF'
#!/bin/sh
# The one line labctl waits for on the serial console (see build-debian.sh):
# dom0 starts the L2 kit's guest with xl and waits for its line.
node=$(hostname)
# a PV dom0's cpuinfo hides svm/vmx: Xen's own capabilities say what it has
caps=" $(xl info 2>/dev/null | sed -n 's/^virt_caps[[:space:]]*:[[:space:]]*//p') "
virt=none
case "$caps" in
*" hvm "*)
	case "$(sed -n 's/^vendor_id[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)" in
	GenuineIntel | CentaurHauls | "  Shanghai  ") virt=vmx ;;
	*) virt=svm ;;
	esac
	;;
esac
# PVH needs hardware paging (Debian's Xen has no shadow paging); PV does not
l2type=pv
# (two patterns: " hvm hap " shares its middle space, so one pattern cannot)
case "$caps" in *" hap "*) case "$caps" in *" hvm "*) l2type=pvh ;; esac ;; esac
kit=/usr/local/share/labctl/l2
log=/var/log/xen/console/guest-labctl-l2.log
# One L2 of type $1 to its line: sets l2.
run_l2() {
	rm -f "$log"
	# libxl gives xenconsoled 10 s to publish a new guest's console and
	# fails the create when it has not (`console tty: timed out`): a dom0
	# starved of CPU misses that now and then, so the create is tried again
	l2=fail-xlcreate
	for try in 1 2 3; do
		if xl create "$kit/$1.cfg" >>/var/log/xen/labctl-l2-create.log 2>&1; then
			l2=fail-l2timeout
			break
		fi
		xl destroy labctl-l2 >/dev/null 2>&1
		sleep 2
	done
	[ $l2 = fail-xlcreate ] && return
	i=0
	while [ $i -lt 180 ]; do
		if grep -q LABCTL-L2-OK "$log" 2>/dev/null; then
			l2=ok
			break
		fi
		# the L2 never powers off by itself: gone means it crashed
		if ! xl list labctl-l2 >/dev/null 2>&1; then
			sleep 2
			l2=fail-l2exit
			grep -q LABCTL-L2-OK "$log" 2>/dev/null && l2=ok
			break
		fi
		sleep 1
		i=$((i + 1))
	done
	xl destroy labctl-l2 >/dev/null 2>&1
}
# Under QEMU's TCG a PVH L2 dies (triple fault) in about half its boots,
# always in the kernel's PIT calibration (a PVH guest has no PIT: 100,000
# reads of port 0x42, each an exit to Xen through QEMU's emulated SVM),
# while PV, which needs no SVM, has not failed: a crashed PVH L2 is tried
# once more, then PV, and l2type says which one printed the line.
case "$l2type" in pvh) types="pvh pvh pv" ;; *) types="pv pv" ;; esac
l2=fail-xlcreate
case "$caps" in
"  ") l2=fail-xlinfo ;;
*)
	n=0
	for t in $types; do
		n=$((n + 1))
		l2type=$t
		run_l2 "$t"
		[ $l2 = fail-l2exit ] || break
		# what the crashed one printed, and Xen's dump of it, for a look later
		mv "$log" "$log.$n-$t" 2>/dev/null
		xl dmesg 2>/dev/null | tail -n 40 >"/var/log/xen/labctl-l2-crash.$n-$t.log"
	done
	;;
esac
root=$(findmnt -n -o SOURCE /)
disk=$(head -c 16 "$root" 2>/dev/null | tr -c 'A-Za-z0-9-' '.')
line="LABCTL-BOOT-OK node=$node virt=$virt hv=xen l2=$l2 l2type=$l2type disk=${disk:-$root}"
echo "$line"
printf '\n%s\n' "$line" >/dev/console
EOF

cat >"$W/files/customize-variant" <<'EOF'
#!/bin/sh
# the xen variant's part of the customize hook: $1 the tree, $2 the files
set -eu
R=$1
# xenconsoled keeps each guest's console in a file: the boot unit reads the L2's
cat >>"$R/etc/default/xen" <<'CONF'
# labctl: guests' consoles in /var/log/xen/console/guest-NAME.log
XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"
CONF
mkdir -p "$R/var/log/xen/console"
# no guests saved or restored across dom0 reboots: a lab node is disposable
chroot "$R" systemctl disable xendomains.service >/dev/null 2>&1 || true

# The L2 kit: dom0's own kernel, a busybox initramfs whose init prints one
# line and waits for dom0 to destroy it, and xl configurations for it as PV
# and PVH guest.
kit=$R/usr/local/share/labctl/l2
mkdir -p "$kit"
kver=$(ls "$R/lib/modules")
ln -sf "/boot/vmlinuz-$kver" "$kit/vmlinuz"
ir=$R/tmp/labctl-l2ir
mkdir -p "$ir/bin" "$ir/dev" "$ir/proc"
cp "$R/bin/busybox" "$ir/bin/busybox"
mknod "$ir/dev/console" c 5 1
cat >"$ir/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "LABCTL-L2-OK kernel=$(/bin/busybox uname -r)"
# Stay up: dom0 destroys this guest once its log holds the line. A guest
# that powered off at once took its console ring with it whenever
# xenconsoled (in a dom0 starved of CPU) had not read the ring yet.
while :; do /bin/busybox sleep 3600; done
INIT
chmod 0755 "$ir/init"
chroot "$R" sh -c 'cd /tmp/labctl-l2ir && find . | cpio -o -H newc --quiet' | gzip -9 >"$kit/initrd.img"
rm -rf "$ir"
for type in pv pvh; do
	cat >"$kit/$type.cfg" <<CFG
# labctl's L2 (images/debian-xen-parts.sh): prints LABCTL-L2-OK on its console
name = "labctl-l2"
type = "$type"
kernel = "/usr/local/share/labctl/l2/vmlinuz"
ramdisk = "/usr/local/share/labctl/l2/initrd.img"
extra = "console=hvc0 quiet"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
done
EOF
chmod +x "$W/files/customize-variant"

# GRUB's configuration, and its modules where its core image looks (as
# grub-install would put them), in the tree before it becomes the file system.
# xen_grub_cfg ROOT KVER
xen_grub_cfg() {
	xen=$(cd "$1/boot" && ls xen-*-amd64.gz | head -n 1)
	[ -n "$xen" ] || { echo "build-debian-xen: no Xen in /boot" >&2; exit 1; }
	mkdir -p "$1/boot/grub/i386-pc"
	cp "$1"/usr/lib/grub/i386-pc/*.mod "$1"/usr/lib/grub/i386-pc/*.lst "$1/boot/grub/i386-pc/"
	# dom0_mem as a share of the node's memory, so it follows `memory:`;
	# Xen on the serial port (the node's console log), dom0 on Xen's console;
	# --nounzip: Xen unpacks the initrd faster than GRUB does under TCG
	cat >"$1/boot/grub/grub.cfg" <<CFG
# labctl debian-xen: one entry, no menu (images/debian-xen-parts.sh)
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry 'Debian 12 with Xen' {
	multiboot2 /boot/$xen dom0_mem=50% console=com1 com1=115200,8n1 loglvl=warning
	module2 /boot/vmlinuz-$2 root=LABEL=labctl-root rw console=hvc0 quiet panic=-1
	module2 --nounzip /boot/initrd.img-$2
}
CFG
}

# The raw file system becomes partition 1 of an MBR disk, with GRUB's boot
# sector in the MBR and its core image in the gap before the partition (what
# grub-install does, without needing a loop device).
# xen_bios_disk ROOT RAWFS
xen_bios_disk() {
	chroot "$1" grub-mkimage -O i386-pc -o /tmp/labctl-core.img -p '(hd0,msdos1)/boot/grub' \
		biosdisk part_msdos ext2 normal configfile serial terminal multiboot2 gzio echo test
	python3 - "$1/usr/lib/grub/i386-pc/boot.img" "$1/tmp/labctl-core.img" "$2" <<'PY'
import os, struct, sys
boot, core, fs = sys.argv[1:4]
mbr = bytearray(open(boot, "rb").read()[:512])
core_img = open(core, "rb").read()
start = 2048  # 1 MiB: the gap GRUB's core image goes into
if 512 + len(core_img) > start * 512:
    sys.exit("build-debian-xen: GRUB's core image does not fit before the partition")
size = os.path.getsize(fs) // 512
# boot.img reads its core image from sector 1 (the default it carries), and
# the core image's first sector reads the rest from sector 2 on (grub-mkimage
# sets how many): the entry is the partition, bootable, LBA only
mbr[446:510] = bytes(64)
mbr[446:462] = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x83, b"\xfe\xff\xff", start, size)
mbr[510:512] = b"\x55\xaa"
out = fs + ".disk"
with open(out, "wb") as o, open(fs, "rb") as f:
    o.write(mbr)
    o.write(core_img)
    o.seek(start * 512)
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        if b.count(0) == len(b):
            o.seek(len(b), 1)  # sparse, as mkfs left it
        else:
            o.write(b)
    o.truncate()
os.rename(out, fs)
PY
	rm -f "$1/tmp/labctl-core.img"
}
