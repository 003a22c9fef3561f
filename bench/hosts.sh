#!/bin/bash
# One lab across two hosts against the same lab on one (as root; make tiny
# first). Host a is qemu:///system, host b a second libvirtd in a private
# mount namespace on this machine (tests/libvirtd-ns.sh). Both share this
# machine's CPUs, so the ratios measure labctl's own cost of spanning hosts
# (a second connection per worker, the images' upload and check, console
# logs read through the storage API), not the gain of a second machine:
#  - up --wait of 8 tiny nodes split 4 + 4 over a and b against the same 8
#    on a (target <= 1.15);
#  - up without --wait (all started) both ways.
# The images are uploaded to b once, before anything is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
make -s all tiny
tests/start-libvirt.sh
T=$(mktemp -d)
chmod 755 "$T"
POOL=labctl-bench-hosts
H2=$T/h2
URI2="qemu+unix:///system?socket=$H2/run/libvirt-sock"
L="$SRC/bin/labctl -c qemu:///system --state-dir $T/state --cache-dir $T/cache"
cleanup() {
	$L -q down benchh >/dev/null 2>&1 || true
	virsh -q -c qemu:///system pool-destroy $POOL >/dev/null 2>&1 || true
	virsh -q -c qemu:///system pool-undefine $POOL >/dev/null 2>&1 || true
	tests/libvirtd-ns.sh stop "$H2" || true
	rm -rf "$T"
}
trap cleanup EXIT
tests/libvirtd-ns.sh start "$H2"
lab() { # SPLIT: 1 puts n-5..n-8 on host b
	echo "name: benchh"
	echo "pool: $POOL"
	echo "hosts: {a: \"qemu:///system\", b: \"$URI2\"}"
	echo "defaults: {kind: generic, nested: false, accel: tcg, image: tiny, memory: 256MiB, disk: 64MiB}"
	echo "nodes:"
	for i in 1 2 3 4 5 6 7 8; do
		if [ "$1" = 1 ] && [ $i -gt 4 ]; then echo "  n-$i: {host: b}"; else echo "  n-$i: {}"; fi
	done
}
lab 0 >"$T/one.yaml"
lab 1 >"$T/two.yaml"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
timed() { # OUT-VAR ARGS...: seconds of one labctl up
	local t0 t1
	t0=$(now)
	$L -q up "${@:2}"
	t1=$(now)
	printf -v "$1" '%s' "$(secs "$t0" "$t1")"
}
# warm-up: pools made, images cached here and uploaded to b
$L -q up "$T/two.yaml" && $L -q down benchh
for round in 1 2; do
	timed one_up "$T/one.yaml"
	$L -q down benchh
	timed two_up "$T/two.yaml"
	$L -q down benchh
	timed one_wait "$T/one.yaml" --wait=600
	$L -q down benchh
	timed two_wait "$T/two.yaml" --wait=600
	$L -q down benchh
	echo "round $round: up --wait of 8 tiny nodes, 4 + 4 on two hosts: ${two_wait}s; all 8 on one host: ${one_wait}s; ratio $(awk -v a="$two_wait" -v b="$one_wait" 'BEGIN { printf "%.2f", a / b }') (target <= 1.15)"
	echo "round $round: up (all started) 4 + 4: ${two_up}s; 8 on one host: ${one_up}s; ratio $(awk -v a="$two_up" -v b="$one_up" 'BEGIN { printf "%.2f", a / b }')"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
