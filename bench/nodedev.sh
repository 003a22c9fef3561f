#!/bin/bash
# The node-device inventory of a 4,096-VF host (64 PFs x 64 VFs) against the
# sysfs inventory of the same host, in the same run: mksysfs.py writes the
# host once as a sysfs tree and once as a libvirt test-driver host
# (test:///FILE). In-process (bench/nodedevbench.c: best of 5 each), then
# as a user meets it, `labctl host vfs --json` with each source (best of 5
# elapsed). The test driver answers in-process: over qemu+ssh:// every
# device is a round trip more, which this does not measure.
# Usage: bench/nodedev.sh   (run from the source tree; builds what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
make -s bin/labctl build/plain/bench/nodedevbench
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 tests/mksysfs.py big "$T/sys" 64 64 --nodedev "$T/host.xml"
URI="test://$T/host.xml"
build/plain/bench/nodedevbench "$T/sys" "$URI" 5

best() { # the best elapsed ms of 5 runs of COMMAND...
	local b="" i s e
	for i in 1 2 3 4 5; do
		s=$(date +%s%N)
		"$@" >"$T/out"
		e=$(date +%s%N)
		b=$(awk -v b="$b" -v t="$(((e - s) / 1000))" 'BEGIN { t /= 1000; print (b == "" || t < b) ? t : b }')
	done
	echo "$b"
}
L="bin/labctl --state-dir $T/state -c $URI --json"
a=$(best $L --sysfs "$T/sys" --inventory sysfs host vfs)
cp "$T/out" "$T/sysfs.json"
b=$(best $L --sysfs "$T/none" --inventory libvirt host vfs)
cmp -s "$T/out" "$T/sysfs.json" || { echo "nodedev.sh: host vfs differs between the sources" >&2; exit 1; }
echo "host vfs --json of $(grep -o '"address"' "$T/out" | wc -l) VFs: sysfs $a ms, libvirt $b ms"
awk -v a="$a" -v b="$b" 'BEGIN { printf "host vfs libvirt / sysfs ratio: %.2f\n", b / a }'
