#!/bin/bash
# One lab across two L0 hosts on this machine: besides the system libvirtd
# (host a, qemu:///system), a second libvirtd and virtlogd (host b) run in a
# private mount namespace (unshare -m) with their own /run/libvirt,
# /var/lib/libvirt, /etc/libvirt, /var/log/libvirt and /var/cache/libvirt,
# reached as qemu+unix:///system?socket=PATH, libvirt's remote protocol as
# qemu+ssh:// uses it. The test starts that daemon and stops it by its pid;
# the system daemon is left alone.
# A lab of tiny nodes on both hosts comes up with --wait: every node boots
# on the host it was placed on (virsh list on each), host b's isolated
# network is made on b only, IOMMU-group leases kept on b through libvirt
# hold against two racing controllers, the images reach b's pool once, named by their
# sha256 and equal to the cache's files, a second up uploads nothing and
# changes nothing, status shows each node's host, inventory lists every
# node, console attaches to a node of host b and ssh's fallback asks b for
# its address, and down LAB (without
# the topology: the hosts come from the journal) leaves nothing of the lab
# on either host.
# Usage: test-hosts.sh BIN   (as root; needs images/tiny: make tiny)
set -u
. "$(dirname "$0")/lib.sh"
need_qemu_system
command -v unshare >/dev/null || skip "no unshare (util-linux)"
LAB=hosts-$$
POOL=labctl-$LAB
H2=$T/h2
URI2="qemu+unix:///system?socket=$H2/run/libvirt-sock"
A="qemu:///system"

stop_h2() { "$SRC/tests/libvirtd-ns.sh" stop "$H2"; }
cleanup() {
	$L -q down "$LAB" >/dev/null 2>&1
	virsh -q -c "$A" pool-destroy "$POOL" >/dev/null 2>&1
	virsh -q -c "$A" pool-undefine "$POOL" >/dev/null 2>&1
	stop_h2
}

# ---- host b: a second libvirtd in its own mount namespace ----
command -v tini >/dev/null || skip "no tini (tests/install-deps.sh installs it)"
"$SRC/tests/libvirtd-ns.sh" start "$H2" || { say "host b: cannot start the second libvirtd"; exit 1; }
[ -s "$H2/run/libvirtd.pid" ] && [ -s "$H2/run/virtlogd.pid" ] || say "host b: no pid files"
# two daemons, not one seen twice
virsh -c "$URI2" pool-list --all --name | grep -q . && say "host b: it sees pools it should not have"

cat >"$T/lab.yaml" <<YAML
name: $LAB
pool: $POOL
hosts:
  a: "$A"
  b: "$URI2"
defaults: {image: tiny, memory: 256MiB, disk: 64MiB, kind: generic, nested: false, accel: tcg}
networks:
  isob: {mode: isolated}
nodes:
  a1: {}
  a2: {host: a}
  b1: {host: b, networks: [isob]}
  b2: {host: b}
YAML

$L --json up "$T/lab.yaml" --wait=240 >"$T/out" 2>"$T/err" || say "up --wait exited $?: $(cat "$T/err")"
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); $1" || say "$2: $(head -c 2000 "$T/out") $(cat "$T/err")"; }
json "
n = {x['name']: x for x in d['nodes']}
for name in ('a1', 'a2', 'b1', 'b2'):
    x = n[name]
    assert x['action'] == 'created' and x['booted'], x
    assert x['boot_line'].startswith('LABCTL-BOOT-OK node=%s ' % name), x
    assert x['boot_line'].endswith('disk=LABCTL-TINY-DISK'), x
assert d['images_uploaded'] == 3, d['images_uploaded']
" "up --wait across two hosts"

# every node runs on the host it was placed on
onA=$(virsh -c "$A" list --name | grep "^$LAB-" | sort | tr '\n' ' ')
onB=$(virsh -c "$URI2" list --name | grep "^$LAB-" | sort | tr '\n' ' ')
[ "$onA" = "$LAB-a1 $LAB-a2 " ] || say "host a runs: '$onA'"
[ "$onB" = "$LAB-b1 $LAB-b2 " ] || say "host b runs: '$onB'"
# host b's network is on b alone
virsh -c "$URI2" net-list --name | grep -qx "$LAB-isob" || say "host b lacks network $LAB-isob"
virsh -c "$A" net-list --all --name | grep -qx "$LAB-isob" && say "host a has network $LAB-isob"

# the images reached b's pool once, by sha256, equal to the cache's files
virsh -c "$URI2" vol-list "$POOL" | awk '{print $1}' | grep '^sha256-' | sort >"$T/bases"
[ "$(wc -l <"$T/bases")" = 3 ] || say "host b's pool holds $(wc -l <"$T/bases") base volumes, not 3: $(cat "$T/bases")"
find "$T/cache" -type f ! -name '*.part' -exec sha256sum {} + | awk '{print "sha256-" $1}' | sort -u >"$T/sums"
missing=$(comm -23 "$T/bases" "$T/sums")
[ -z "$missing" ] || say "host b's base volumes not in the cache: $missing"
# the overlays on b are backed by those volumes, not by this machine's cache
virsh -c "$URI2" vol-dumpxml --pool "$POOL" "$LAB-b1.qcow2" >"$T/vol.xml" 2>&1 || say "host b: no overlay of b1"
grep -q "<path>/var/lib/libvirt/labctl/$POOL/sha256-" "$T/vol.xml" || say "b1's overlay: $(cat "$T/vol.xml")"
virsh -c "$A" vol-list "$POOL" | grep -q sha256- && say "host a got an uploaded base: its nodes use the cache"

# a second up: nothing uploaded, nothing changed
$L --json up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "second up exited $?: $(cat "$T/err")"
json "
assert d['images_uploaded'] == 0, d
assert all(x['action'] == 'unchanged' for x in d['nodes']), d['nodes']
" "second up"

# leases kept on host b through libvirt: two controllers (each its own
# connection to b's daemon) race for overlapping IOMMU groups, five rounds;
# exactly one wins each time and the loser holds nothing
LEASE_BIN=$(dirname "$BIN")/tests/test-hosts
if [ -x "$LEASE_BIN" ]; then
	LABCTL_TEST_LEASE_URI=$URI2 LABCTL_TEST_LEASE_POOL=$POOL "$LEASE_BIN" >"$T/lease.out" 2>&1 ||
		say "leases on host b: $(tail -20 "$T/lease.out")"
	virsh -c "$URI2" vol-list "$POOL" | grep -q labctl-lease- && say "leases on host b: some left"
else
	say "no $LEASE_BIN (make tests)"
fi

# status shows each node's host, from the journal's hosts
$L --json status "$LAB" >"$T/out" 2>"$T/err" || say "status exited $?: $(cat "$T/err")"
json "
n = {x['name']: x for x in d['labs'][0]['nodes']}
assert {k: (v['host'], v['state']) for k, v in n.items()} == {
    'a1': ('a', 'running'), 'a2': ('a', 'running'), 'b1': ('b', 'running'), 'b2': ('b', 'running')}, n
" "status --json"
$L status "$LAB" >"$T/out" 2>"$T/err" || say "status exited $?"
head -1 "$T/out" | grep -q ' HOST ' || say "status: no HOST column: $(head -1 "$T/out")"
grep -q "^$LAB  *b1  *$LAB-b1  *b " "$T/out" || say "status: b1 not on b: $(cat "$T/out")"

# inventory, console and ssh find a node on whatever host the journal says
$L inventory "$LAB" >"$T/out" 2>"$T/err" || say "inventory exited $?: $(cat "$T/err")"
for n in a1 a2 b1 b2; do
	grep -q "^        $n:\$" "$T/out" || say "inventory lacks $n: $(cat "$T/out") $(cat "$T/err")"
done
$L inventory "$LAB" --format ini >"$T/out" 2>"$T/err" || say "inventory --format ini exited $?: $(cat "$T/err")"
for n in b1 b2; do
	grep -q "^$n ansible_" "$T/out" ||
		say "inventory --format ini lacks $n: $(cat "$T/out") $(cat "$T/err")"
done
# console stays attached once stdin ends, copying output until a signal:
# timeout stopping it (124) says it opened b1's console on host b
{ echo; sleep 4; } | timeout 8 $L console "$LAB" b1 >"$T/out" 2>"$T/err"
rc=$?
grep -q "has no node" "$T/err" && say "console b1: $(cat "$T/err")"
[ $rc = 124 ] || say "console b1 exited $rc, not stopped by timeout: $(cat "$T/err")"
# ssh's fallback (no planned address: the lab's networks have no subnet)
# asks b2's own host, which has none for it: exit 3, not "has no node" (2)
grep -q "^Host b2\$" "$T/state/labs/$LAB/ssh_config" && say "b2 has a planned address: the fallback is not tested"
timeout 20 $L ssh "$LAB" b2 -- true >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 3 ] && grep -q "node b2 of lab $LAB has no address yet" "$T/err" ||
	say "ssh b2 exited $rc: $(cat "$T/err")"

# down by the lab's name: the hosts come from the journal
$L down "$LAB" >"$T/out" 2>"$T/err" || say "down exited $?: $(cat "$T/err")"
for u in "$A" "$URI2"; do
	left=$(virsh -c "$u" list --all --name | grep "^$LAB-")
	[ -z "$left" ] || say "after down, $u has domains: $left"
	left=$(virsh -c "$u" net-list --all --name | grep "^$LAB-")
	[ -z "$left" ] || say "after down, $u has networks: $left"
	left=$(virsh -c "$u" vol-list "$POOL" 2>/dev/null | awk '{print $1}' | grep "^$LAB-")
	[ -z "$left" ] || say "after down, $u has volumes: $left"
done
[ ! -e "$T/state/labs/$LAB" ] || say "after down, the journal is left: $(ls "$T/state/labs/$LAB")"

pid2=$(cat "$H2/run/libvirtd.pid")
stop_h2
kill -0 "$pid2" 2>/dev/null && say "host b's libvirtd (pid $pid2) still runs"
pgrep -x libvirtd >/dev/null || say "the system libvirtd is gone"
exit $fail
