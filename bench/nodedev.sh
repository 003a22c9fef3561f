#!/bin/bash
# The node-device inventory of a 4,096-VF host (64 PFs x 64 VFs) against the
# sysfs inventory of the same host, in the same run: mksysfs.py writes the
# host once as a sysfs tree and once as a libvirt test-driver host. First
# in-process (bench/nodedevbench.c, best of 5 each; the listing, every
# device's XML and the parse against the sysfs reader), through the test
# driver in this process (test:///FILE) and, as root with the system
# libvirtd up, through its socket (test+unix:///FILE: a round trip per
# device, as over qemu+ssh:// but without the network). Then as a user
# meets it: `labctl host vfs --json` from sysfs (-c test:///default) and
# from the node devices, best of 5 elapsed; those include the test driver
# parsing the 4,288-device host file at each connect, which a real daemon
# does not do (nodedevbench prints that cost).
# Usage: bench/nodedev.sh   (run from the source tree; builds what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
make -s bin/labctl build/plain/bench/nodedevbench
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 tests/mksysfs.py big "$T/sys" 64 64 --nodedev "$T/host.xml"
chmod 755 "$T" # the system daemon reads the host file
URIS="test://$T/host.xml"
if [ "$(id -u)" = 0 ] && virsh -c test+unix:///default uri >/dev/null 2>&1; then
	URIS="$URIS test+unix://$T/host.xml"
else
	echo "nodedev.sh: not root or no system libvirtd: the socket figures are skipped"
fi
for u in $URIS; do
	build/plain/bench/nodedevbench "$T/sys" "$u" 5
done

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
L="bin/labctl --state-dir $T/state --json"
a=$(best $L -c test:///default --sysfs "$T/sys" host vfs)
cp "$T/out" "$T/sysfs.json"
for u in $URIS; do
	b=$(best $L -c "$u" --sysfs "$T/none" --inventory libvirt host vfs)
	cmp -s "$T/out" "$T/sysfs.json" || { echo "nodedev.sh: host vfs through $u differs from sysfs" >&2; exit 1; }
	echo "host vfs --json of $(grep -o '"address"' "$T/out" | wc -l) VFs: sysfs $a ms, node devices through $u $b ms"
	awk -v a="$a" -v b="$b" 'BEGIN { printf "host vfs node devices / sysfs ratio: %.2f\n", b / a }'
done
