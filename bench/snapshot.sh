#!/bin/bash
# Lab snapshots on qemu:///system with N (default 8) tiny nodes (as root;
# make tiny first), in one run, each figure against a baseline of the same run:
#  - snapshot revert against up --wait of the same lab (goal >= 10x faster);
#  - revert against parallel virsh destroy then virsh restore of the same
#    memory images (goal <= 1.2x);
#  - save against parallel virsh save then virsh restore (goal <= 1.2x);
#  - the memory image sizes.
# Usage: [IMAGE=NAME MEM=SIZE DISK=SIZE] bench/snapshot.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
N=${1:-8}
# IMAGE=debian MEM=1GiB DISK=4GiB bench/snapshot.sh 2: the same figures for debian nodes
IMAGE=${IMAGE:-tiny}
MEM=${MEM:-128MiB}
DISK=${DISK:-64MiB}
make -s all
tests/start-libvirt.sh
T=$(mktemp -d)
chmod 755 "$T"
LAB=bsnap
POOL=labctl-bench-snap
V="virsh -q -c qemu:///system"
L="$SRC/bin/labctl -c qemu:///system --state-dir $T/state --cache-dir $T/cache"
cleanup() {
	$L -q down $LAB >/dev/null 2>&1 || true
	$V pool-destroy $POOL >/dev/null 2>&1 || true
	$V pool-undefine $POOL >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
SUBNET=$(tests/free-subnet.py)
{
	printf 'name: %s\npool: %s\ndefaults: {image: %s, memory: %s, disk: %s}\n' $LAB $POOL "$IMAGE" "$MEM" "$DISK"
	printf 'networks: {m: {mode: nat, subnet: %s}}\nnodes:\n' "$SUBNET"
	for i in $(seq "$N"); do printf '  n%d: {kind: generic, nested: false, networks: [m]}\n' "$i"; done
} >"$T/lab.yaml"
now() { date +%s.%N; }
doms() { for i in $(seq "$N"); do echo "$LAB-n$i"; done; }

t0=$(now)
$L -q up "$T/lab.yaml" --wait=900
up=$(awk "BEGIN{print $(now) - $t0}")

t0=$(now)
$L -q snapshot save $LAB base
save=$(awk "BEGIN{print $(now) - $t0}")
t0=$(now)
$L -q snapshot revert $LAB base
revert=$(awk "BEGIN{print $(now) - $t0}")

# the baselines: libvirt's own calls through virsh, all nodes at once, on
# the images labctl saved (virsh restore's --xml: the image's own XML
# pointed at the overlay each node runs on now, so no frozen layer is written)
for d in $(doms); do
	n=${d#"$LAB"-}
	top=$($V dumpxml --inactive "$d" | grep -o "volume='[^']*qcow2'" | head -n 1)
	$V save-image-dumpxml --security-info "$T/state/snapshots/$LAB/base/$n.mem" |
		sed "s|volume='$d.qcow2'|$top|" >"$T/$d.xml"
done
t0=$(now)
for d in $(doms); do $V destroy "$d" >/dev/null & done
wait
for d in $(doms); do
	n=${d#"$LAB"-}
	$V restore "$T/state/snapshots/$LAB/base/$n.mem" --xml "$T/$d.xml" --running >/dev/null &
done
wait
vrevert=$(awk "BEGIN{print $(now) - $t0}")
t0=$(now)
for d in $(doms); do $V save "$d" "$T/$d.virsh.mem" >/dev/null & done
wait
for d in $(doms); do $V restore "$T/$d.virsh.mem" --running >/dev/null & done
wait
vsave=$(awk "BEGIN{print $(now) - $t0}")
sizes=$(stat -c %s "$T/state/snapshots/$LAB/base/"*.mem | awk '{s += $1; n++} END {printf "%.1f MiB each on average, %.1f MiB in all", s / n / 1048576, s / 1048576}')

echo "$N $IMAGE nodes, $(nproc) cores:"
awk -v up="$up" -v rv="$revert" 'BEGIN{printf "  up --wait %.2f s, snapshot revert %.2f s: revert %.1fx faster (goal >= 10)\n", up, rv, up / rv}'
awk -v v="$vrevert" -v rv="$revert" 'BEGIN{printf "  revert %.2f s, virsh destroy+restore %.2f s: ratio %.2f (goal <= 1.2)\n", rv, v, rv / v}'
awk -v v="$vsave" -v s="$save" 'BEGIN{printf "  save %.2f s, virsh save+restore %.2f s: ratio %.2f (goal <= 1.2)\n", s, v, s / v}'
echo "  memory images: $sizes"
