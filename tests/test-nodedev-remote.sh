#!/bin/bash
# The node-device inventory over libvirt's remote protocol, as labctl reads a
# host that is not this machine: the system libvirtd serves a fixture host's
# node devices (test+unix:///FILE: the daemon loads the test-driver host
# tests/mksysfs.py --nodedev wrote, and every device's XML is a round trip
# on the socket, as over qemu+ssh://). Checks that host vfs through it equals
# the sysfs fixture of the same host; that a URI naming no host still reads
# sysfs unless --inventory libvirt; and, as the inventory half of the lease
# test between two controllers, that two state dirs planning at the same
# time over the socket see one inventory and contend for the same groups.
# Usage: test-nodedev-remote.sh BIN
set -u
. "$(dirname "$0")/lib.sh"
need_root "the system libvirtd's socket"
"$SRC/tests/start-libvirt.sh" || skip "libvirtd does not answer on qemu:///system"
virsh -c test+unix:///default uri >/dev/null 2>&1 || skip "libvirtd serves no test+unix:///default"

F="$SRC/tests/out/sysfs"
L="$BIN --templates $SRC/templates --catalog $SRC/tests/fixtures/catalog.yaml --cache-dir $T/cache"
for s in host-shared mixed two-numa; do
	[ -s "$F/$s.nodedev.xml" ] || { say "no $F/$s.nodedev.xml (make tests/out/sysfs/.stamp)"; continue; }
	U="test+unix://$F/$s.nodedev.xml"
	$L --state-dir "$T/state" -c test:///default --sysfs "$F/$s" --json host vfs >"$T/sysfs.json" 2>"$T/err" ||
		{ say "$s: host vfs from sysfs: $(cat "$T/err")"; continue; }
	if $L --state-dir "$T/state" -c "$U" --inventory libvirt --sysfs "$T/none" --json host vfs >"$T/remote.json" 2>"$T/err"; then
		cmp -s "$T/sysfs.json" "$T/remote.json" && ok ||
			say "$s: host vfs over the socket differs from sysfs: $(diff "$T/sysfs.json" "$T/remote.json" | head -5)"
	else
		say "$s: host vfs --inventory libvirt over the socket: $(cat "$T/err")"
	fi
	grep -q '"address"' "$T/remote.json" && ok || say "$s: host vfs over the socket lists no VF"
done

# test+unix:///FILE names no host: this machine's sysfs, unless told
U="test+unix://$F/mixed.nodedev.xml"
if $L --state-dir "$T/state" -c "$U" --sysfs "$T/none" host vfs >/dev/null 2>"$T/err"; then
	say "host vfs on a URI naming no host did not read --sysfs"
else
	grep -qF "PCI inventory: cannot open '$T/none/bus/pci/devices'" "$T/err" && ok ||
		say "host vfs on a URI naming no host: $(cat "$T/err")"
fi

# Two controllers (two state dirs), two labs that together want more VFs than
# the host has (mixed: 11 allocatable VFs, 8 of them in pairs; 6 + 6), planning at the same time
# over the socket, five rounds. Each plans from the same inventory: a lab
# alone gets what it asks, and the two plans share groups, which only leases
# on the host can settle between controllers (issue 14; left to that work).
for lab in a b; do
	printf 'name: %s\nvf_pools: {any: {match: ["*:*"]}}\nnodes:\n  n: {kind: kvm, vfs: [{pool: any, count: 6}]}\n' "$lab" >"$T/$lab.yaml"
done
vfs_of() { # render --json on stdin: the PCI addresses of its domain's hostdevs, sorted
	python3 -c '
import json, sys, xml.etree.ElementTree as ET
d = json.load(sys.stdin)
out = []
for o in d["objects"]:
    if o["type"] != "domain":
        continue
    for src in ET.fromstring(o["xml"]).iter("source"):
        for a in src.iter("address"):
            out.append("%04x:%02x:%02x.%x" % tuple(int(a.get(k), 16) for k in ("domain", "bus", "slot", "function")))
print("\n".join(sorted(out)))
'
}
for round in 1 2 3 4 5; do
	$L --state-dir "$T/s-a" -c "$U" --inventory libvirt --json render "$T/a.yaml" >"$T/a.json" 2>"$T/a.err" &
	pa=$!
	$L --state-dir "$T/s-b" -c "$U" --inventory libvirt --json render "$T/b.yaml" >"$T/b.json" 2>"$T/b.err" &
	pb=$!
	wait $pa || { say "round $round: render a: $(cat "$T/a.err")"; continue; }
	wait $pb || { say "round $round: render b: $(cat "$T/b.err")"; continue; }
	vfs_of <"$T/a.json" >"$T/a.vfs"
	vfs_of <"$T/b.json" >"$T/b.vfs"
	[ "$(wc -l <"$T/a.vfs")" = 6 ] && [ "$(wc -l <"$T/b.vfs")" = 6 ] && ok ||
		say "round $round: want 6 VFs each, got $(wc -l <"$T/a.vfs") and $(wc -l <"$T/b.vfs")"
	# the same host, the same inventory, the same rules: the same 6 of the 11
	cmp -s "$T/a.vfs" "$T/b.vfs" && ok || say "round $round: two controllers planned differently: $(diff "$T/a.vfs" "$T/b.vfs")"
	# never a VF that shares its group with the host (0000:86:02.0 shares the PF's)
	grep -qx '0000:86:02.0' "$T/a.vfs" && say "round $round: planned the host-shared 0000:86:02.0" || ok
done
[ $fail = 0 ] && echo "nodedev-remote: $pass checks of the node-device inventory through the system libvirtd's socket"
exit $fail
