#!/bin/bash
# The debian-xen image's time budget, on qemu:///system (as root):
#  - the image build (images/build-debian-xen.sh into a scratch directory,
#    with the package cache as it is; BUILD=0 skips it);
#  - one kind: xen node (2 GiB, 2 vCPUs) on debian-xen: seconds from `up`
#    to Xen's first line, to dom0's login prompt on the console, to its SSH
#    banner, and to the ready line with l2=ok (up --wait returning);
#  - the same node on `debian`, to its login prompt, SSH banner and ready line.
# Prints one line per figure. Not part of make check.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
make -s all
tests/start-libvirt.sh
T=$(mktemp -d)
chmod 755 "$T"
POOL=labctl-bench-xen
L="$SRC/bin/labctl -c qemu:///system --state-dir $T/state --cache-dir $T/cache"
cleanup() {
	for l in benchxen benchdeb; do $L -q down $l >/dev/null 2>&1 || true; done
	virsh -q -c qemu:///system pool-destroy $POOL >/dev/null 2>&1 || true
	virsh -q -c qemu:///system pool-undefine $POOL >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk "BEGIN{printf \"%.1f\", $(now) - $1}"; }

if [ "${BUILD:-1}" != 0 ]; then
	t0=$(now)
	images/build-debian-xen.sh "$T/build" | tail -n 1
	echo "xen: image build $(since "$t0") s, $(du -m "$T/build/disk.qcow2" | cut -f1) MiB qcow2"
	rm -rf "$T/build"
fi
[ -s images/debian-xen/SHA256SUMS ] || make -s image-debian-xen

SUBNET=$(tests/free-subnet.py)
# one node, watched from up: the console log's lines and the SSH port
boot() { # LAB IMAGE
	printf 'name: %s\npool: %s\nnetworks: {m: {mode: nat, subnet: %s}}\n' "$1" $POOL "$SUBNET" >"$T/$1.yaml"
	printf 'nodes:\n  n1: {kind: xen, image: %s, memory: 2GiB, vcpus: 2, disk: 4GiB, networks: [m]}\n' "$2" >>"$T/$1.yaml"
	local log=$T/state/labs/$1/n1.log t0 xen="-" login="-" banner="-" ip=""
	t0=$(now)
	$L --json up "$T/$1.yaml" --wait=1800 >"$T/$1.json" &
	local up=$!
	while kill -0 $up 2>/dev/null; do
		if [ -f "$log" ]; then
			[ "$xen" = - ] && grep -q '^(XEN) Xen version' "$log" && xen=$(since "$t0")
			[ "$login" = - ] && grep -q ' login: *$\| login:' "$log" && login=$(since "$t0")
		fi
		if [ "$banner" = - ]; then
			[ -n "$ip" ] || ip=$(virsh -q -c qemu:///system net-dhcp-leases "$1-m" 2>/dev/null | awk '{print $5}' | cut -d/ -f1 | head -n 1)
			[ -n "$ip" ] && timeout 1 bash -c "head -c 4 </dev/tcp/$ip/22" 2>/dev/null | grep -q SSH && banner=$(since "$t0")
		fi
		sleep 0.5
	done
	wait $up
	local ready
	ready=$(since "$t0")
	local line
	line=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][0].get("boot_line"))' "$T/$1.json")
	echo "xen: $2: Xen's first line ${xen} s, console login prompt ${login} s, SSH banner ${banner} s, ready line ${ready} s: $line"
	$L -q down "$1"
}
boot benchxen debian-xen
boot benchdeb debian
uptime
