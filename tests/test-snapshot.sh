#!/bin/bash
# Lab snapshots on a real libvirtd with QEMU (qemu:///system): an N-node
# (default 8) tiny lab saved with `snapshot save` runs again on every node
# with no new boot line, each node's persistent definition naming the
# overlay it runs on (a new one over the frozen layer); `snapshot revert`
# brings all N back the same way; ls, rm, the fault cases (bad name,
# unknown snapshot, changed topology, a second save at once, storage too
# small, SIGTERM during save, a killed save finished by the next command,
# kill -9 at several points of save and revert, each finished by the next
# save, rm, gc or revert);
# and down leaves no snapshot file or volume.
# Usage: test-snapshot.sh BIN   (as root; needs images/tiny: make tiny)
set -u
. "$(dirname "$0")/lib.sh"
need_qemu_system
N=${LABCTL_SNAPSHOT_NODES:-8}
LAB=snap-$$
POOL=labctl-$LAB
V="virsh -q -c qemu:///system"
cleanup() {
	mountpoint -q "$T/state/snapshots/$LAB" 2>/dev/null && umount "$T/state/snapshots/$LAB"
	down_labs_and_pool "$POOL" "$LAB"
}
SUBNET=$("$SRC/tests/free-subnet.py") || exit 1
topo() { # MEMORY
	{
		cat <<YAML
name: $LAB
pool: $POOL
defaults: {image: tiny, memory: ${1:-128MiB}, disk: 64MiB, kind: generic, nested: false}
networks:
  mgmt: {mode: nat, subnet: $SUBNET}
nodes:
YAML
		for i in $(seq 1 "$N"); do echo "  n$i: {networks: [mgmt]}"; done
	} >"$T/lab.yaml"
}
nodes() { for i in $(seq 1 "$N"); do echo "n$i"; done; }
# every node runs, and its console shows no boot line: nothing booted again
# (each restore starts a new QEMU, whose log starts empty)
running_no_boot() { # WHAT
	sleep 2
	for n in $(nodes); do
		state=$($V domstate "$LAB-$n" 2>&1)
		[ "$state" = running ] || say "$1: $n is '$state', not running"
		if grep -q LABCTL-BOOT-OK "$T/state/labs/$LAB/$n.log" 2>/dev/null; then
			say "$1: $n booted again: $(tail -c 300 "$T/state/labs/$LAB/$n.log")"
		fi
	done
}
# each node's persistent definition names the disk it runs on, an overlay
# LAB@NODE@GEN.qcow2 whose backing file is the frozen layer
defs_follow() { # WHAT
	for n in $(nodes); do
		live=$($V dumpxml "$LAB-$n" | grep -o "volume='[^']*qcow2'" | head -n 1)
		saved=$($V dumpxml --inactive "$LAB-$n" | grep -o "volume='[^']*qcow2'" | head -n 1)
		[ -n "$live" ] && [ "$live" = "$saved" ] ||
			say "$1: $n runs on $live, its definition names $saved"
		case $live in *"$LAB@$n@"*) ;; *) say "$1: $n is not on a snapshot overlay: $live" ;; esac
	done
}

topo
$L up "$T/lab.yaml" --wait=1200 >"$T/out" 2>&1 || say "up --wait: $(cat "$T/out")"
status_before=$($L --json status "$LAB" 2>/dev/null)

# bad input, before anything is touched
$L snapshot save "$LAB" 'no/good' >"$T/out" 2>&1
[ $? = 2 ] && grep -q "not valid" "$T/out" || say "bad name: $(cat "$T/out")"
$L snapshot revert "$LAB" nosuch >"$T/out" 2>&1
[ $? = 2 ] && grep -q "no snapshot 'nosuch' (it has none)" "$T/out" || say "unknown: $(cat "$T/out")"

# storage too small: refused with the numbers before any node pauses
mkdir -p "$T/state/snapshots/$LAB"
mount -t tmpfs -o size=1m tmpfs "$T/state/snapshots/$LAB"
$L snapshot save "$LAB" full >"$T/out" 2>&1
rc=$?
[ $rc = 3 ] && grep -q "need up to .* bytes.*free: nothing was paused" "$T/out" || say "full storage (exit $rc): $(cat "$T/out")"
for n in $(nodes); do
	[ "$($V domstate "$LAB-$n")" = running ] || say "full storage: $n not running"
done
umount "$T/state/snapshots/$LAB"

# save
t0=$(date +%s.%N)
$L --json snapshot save "$LAB" base >"$T/out" 2>"$T/err" || say "save: $(cat "$T/out" "$T/err")"
t1=$(date +%s.%N)
python3 -c "
import json; d = json.load(open('$T/out'))
assert d['lab'] == '$LAB' and d['snapshot'] == 'base', d
assert len(d['nodes']) == $N and all(x['action'] == 'saved' and x['image_bytes'] > 0 for x in d['nodes']), d
" || say "save --json: $(cat "$T/out")"
echo "save of $N nodes: $(echo "$t1 - $t0" | bc) s"
running_no_boot "after save"
defs_follow "after save"
# the proofs up kept survive the new QEMUs' empty logs
status_after=$($L --json status "$LAB" 2>/dev/null)
python3 -c "
import json, sys
a = json.loads(sys.argv[1]); b = json.loads(sys.argv[2])
pa = {n['name']: n.get('proof') for n in a['labs'][0]['nodes']}
pb = {n['name']: n.get('proof') for n in b['labs'][0]['nodes']}
assert pa == pb and all(pa.values()), (pa, pb)
" "$status_before" "$status_after" 2>"$T/err" || say "status after save lost proofs: $(cat "$T/err")"

# a second save of the same name is refused; ls lists it
$L snapshot save "$LAB" base >"$T/out" 2>&1
[ $? = 2 ] && grep -q "already has a snapshot 'base'" "$T/out" || say "second save base: $(cat "$T/out")"
$L --json snapshot ls >"$T/out" 2>&1
python3 -c "
import json; d = json.load(open('$T/out'))
s = [x for x in d['snapshots'] if x['lab'] == '$LAB']
assert [x['name'] for x in s] == ['base'] and len(s[0]['nodes']) == $N and s[0]['time'], d
" || say "ls --json: $(cat "$T/out")"

# revert
gen_before=$($V dumpxml "$LAB-n1" | grep -o "volume='[^']*qcow2'" | head -n 1)
t0=$(date +%s.%N)
$L --json snapshot revert "$LAB" base >"$T/out" 2>"$T/err" || say "revert: $(cat "$T/out" "$T/err")"
t1=$(date +%s.%N)
echo "revert of $N nodes: $(echo "$t1 - $t0" | bc) s"
running_no_boot "after revert"
defs_follow "after revert"
gen_after=$($V dumpxml "$LAB-n1" | grep -o "volume='[^']*qcow2'" | head -n 1)
[ "$gen_before" != "$gen_after" ] || say "revert kept n1 on $gen_before"
# the overlay the revert left is gone from the pool
old=${gen_before#volume=\'}
old=${old%\'}
$V vol-info --pool "$POOL" "$old" >/dev/null 2>&1 && say "revert left the old overlay $old"
# up after a revert changes nothing (the rendering follows the top overlay)
# and --wait takes the boot proof kept beside the (new, empty) console log
$L --json up "$T/lab.yaml" --wait=60 >"$T/out" 2>"$T/err" || say "up --wait after revert: $(cat "$T/err")"
python3 -c "
import json; d = json.load(open('$T/out'))
assert all(x['action'] == 'unchanged' and x['booted'] for x in d['nodes']), d['nodes']
" || say "up --wait after revert: $(cat "$T/out")"
$L render "$T/lab.yaml" -o "$T/render" >/dev/null 2>&1
grep -q "volume='$LAB@n1@" "$T/render/$LAB-n1.xml" 2>/dev/null ||
	grep -q "volume=\"$LAB@n1@" "$T/render"/*n1*.xml 2>/dev/null || say "render does not name n1's top overlay"

# a changed topology: exit 2 unless --force
topo 160MiB
$L up "$T/lab.yaml" --force >/dev/null 2>&1
$L snapshot revert "$LAB" base >"$T/out" 2>&1
[ $? = 2 ] && grep -q "changed since snapshot 'base'" "$T/out" || say "changed topology: $(cat "$T/out")"
$L snapshot revert "$LAB" base --force >"$T/out" 2>&1 || say "revert --force: $(cat "$T/out")"
running_no_boot "after revert --force"
topo

# two at once: the second exits 3
$L snapshot save "$LAB" two >"$T/out1" 2>&1 &
p1=$!
sleep 0.3
$L snapshot save "$LAB" three >"$T/out2" 2>&1
rc2=$?
wait $p1
rc1=$?
if [ $rc1 = 0 ]; then
	[ $rc2 = 3 ] && grep -q "another snapshot command" "$T/out2" || say "second save at once exited $rc2: $(cat "$T/out2")"
fi
$L snapshot rm "$LAB" three >/dev/null 2>&1
$L snapshot rm "$LAB" two >"$T/out" 2>&1 || say "rm two: $(cat "$T/out")"
[ -e "$T/state/snapshots/$LAB/two" ] && say "rm left snapshots/$LAB/two"

# SIGTERM during save: no node is left paused or stopped, no partial snapshot kept
$L snapshot save "$LAB" sig >"$T/out" 2>&1 &
p=$!
sleep 0.5
kill -TERM $p
wait $p
rc=$?
for n in $(nodes); do
	[ "$($V domstate "$LAB-$n")" = running ] || say "SIGTERM during save (exit $rc): $n is $($V domstate "$LAB-$n")"
done
[ $rc = 0 ] || [ ! -e "$T/state/snapshots/$LAB/sig/manifest" ] || say "interrupted save kept a manifest"
$L snapshot rm "$LAB" sig >/dev/null 2>&1

# kill -9 during save: the next snapshot command restores what it stopped
$L snapshot save "$LAB" k9 >"$T/out" 2>&1 &
p=$!
sleep 1.5
kill -KILL $p
wait $p 2>/dev/null
$L snapshot ls "$LAB" >"$T/out" 2>&1
$L snapshot rm "$LAB" base-nope >"$T/out" 2>&1 # any locked command finishes the cleanup
grep -q "no snapshot 'base-nope'" "$T/out" || say "rm after kill -9: $(cat "$T/out")"
for n in $(nodes); do
	st=$($V domstate "$LAB-$n")
	[ "$st" = running ] || [ "$st" = paused ] || say "after kill -9 during save: $n is $st"
done
$L -q snapshot rm "$LAB" k9 >/dev/null 2>&1
[ -e "$T/state/snapshots/$LAB/k9/.partial" ] && say "kill -9 left a partial snapshot"

# kill -9 of labctl (never libvirtd) at several points of save and revert:
# the moment a file shows a step began (the partial marker, before anything
# pauses; the first memory image being written; the first new overlay; a
# revert's marker; its first fresh overlay), and the next command of the
# lab (save, rm, gc, revert, in turn) finishes the cleanup: every node
# runs (none paused or stopped), no partial save or revert marker is left,
# a killed save kept no snapshot, and each definition names the disk its
# node runs on
until_file() { # GLOB PID: true once a file matches, false if PID ended first
	local n
	for ((n = 0; n < 200000; n++)); do
		compgen -G "$1" >/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
	done
	return 1
}
SN=$T/state/snapshots/$LAB
k=0
for point in save:.partial save:mem save:overlay revert:.revert revert:overlay save:0.8 revert:0.4; do
	k=$((k + 1))
	what=${point%%:*} at=${point#*:}
	gen=$(sed -n 's/^volume .*@\([0-9]*\)\.qcow2$/\1/p' "$T/state/labs/$LAB/journal" | sort -n | tail -n 1)
	if [ "$what" = save ]; then
		$L snapshot save "$LAB" "k$k" >"$T/out" 2>&1 &
	else
		$L snapshot revert "$LAB" base >"$T/out" 2>&1 &
	fi
	p=$!
	case $at in
	.partial) until_file "$SN/k$k/.partial" $p ;;
	mem) until_file "$SN/k$k/*.mem" $p ;;
	.revert) until_file "$SN/.revert" $p ;;
	overlay) until_file "$T/state/pools/$POOL/$LAB@*@$((gen + 1)).qcow2" $p ;;
	*) sleep "$at" ;;
	esac
	kill -KILL $p 2>/dev/null
	wait $p 2>/dev/null
	rc=$?
	[ $rc = 137 ] || [ $rc = 0 ] || say "kill -9 at $what $at: it exited $rc first: $(cat "$T/out")"
	[ $rc = 137 ] || echo "kill -9 at $what $at: labctl had finished (exit $rc)"
	case $((k % 4)) in
	1) $L snapshot save "$LAB" "next$k" >"$T/out" 2>&1 || say "save after kill -9 at $what $at: $(cat "$T/out")"
	   $L snapshot rm "$LAB" "next$k" >/dev/null 2>&1 ;;
	2) $L snapshot rm "$LAB" nosuch >"$T/out" 2>&1
	   grep -q "no snapshot 'nosuch'" "$T/out" || say "rm after kill -9 at $what $at: $(cat "$T/out")" ;;
	3) $L gc >"$T/out" 2>&1 || say "gc after kill -9 at $what $at: $(cat "$T/out")" ;;
	0) $L snapshot revert "$LAB" base >"$T/out" 2>&1 || say "revert after kill -9 at $what $at: $(cat "$T/out")" ;;
	esac
	for n in $(nodes); do
		st=$($V domstate "$LAB-$n")
		[ "$st" = running ] || say "after kill -9 at $what $at and the next command: $n is $st"
	done
	compgen -G "$SN/*/.partial" >/dev/null && say "after kill -9 at $what $at: a partial save is left: $(ls "$SN"/*/.partial)"
	[ -e "$SN/.revert" ] && say "after kill -9 at $what $at: the revert marker is left"
	if [ "$what" = save ] && [ $rc = 137 ] && [ -e "$SN/k$k" ]; then
		say "after kill -9 at $what $at: the killed save left snapshots/$LAB/k$k: $(ls -a "$SN/k$k")"
	fi
	defs_follow "after kill -9 at $what $at"
	$L -q snapshot rm "$LAB" "k$k" >/dev/null 2>&1
done

# rm deletes the layers nothing builds on: x freezes what n1 runs on now;
# after a revert to base nothing builds on that layer, and rm x deletes it
layer=$($V dumpxml --inactive "$LAB-n1" | grep -o "volume='[^']*qcow2'" | head -n 1)
layer=${layer#volume=\'}
layer=${layer%\'}
$L snapshot save "$LAB" x >"$T/out" 2>&1 || say "save x: $(cat "$T/out")"
$L snapshot revert "$LAB" base >"$T/out" 2>&1 || say "revert base after x: $(cat "$T/out")"
$V vol-info --pool "$POOL" "$layer" >/dev/null 2>&1 || say "x's layer $layer went before rm x"
$L snapshot rm "$LAB" x >"$T/out" 2>&1 || say "rm x: $(cat "$T/out")"
$V vol-info --pool "$POOL" "$layer" >/dev/null 2>&1 && say "rm x kept its layer $layer, which nothing builds on"
running_no_boot "after rm x"

# down --node: refused while a snapshot holds the node's disks; once none
# does, the node's overlays and layers go with it and up --node makes it afresh
$L down "$LAB" --node n1 >"$T/out" 2>&1
[ $? = 2 ] && grep -q "has snapshots" "$T/out" || say "down --node with snapshots: $(cat "$T/out")"
[ "$($V domstate "$LAB-n1")" = running ] || say "a refused down --node stopped n1"
$L snapshot rm "$LAB" base >"$T/out" 2>&1 || say "rm base: $(cat "$T/out")"
# base's layers are what the nodes' overlays build on: they stay
$V vol-info --pool "$POOL" "$LAB-n2.qcow2" >/dev/null 2>&1 || say "rm base deleted a layer n2 runs on"
[ "$($V domstate "$LAB-n2")" = running ] || say "rm base: n2 is not running"
$L down "$LAB" --node n1 >"$T/out" 2>&1 || say "down --node n1: $(cat "$T/out")"
$V vol-list "$POOL" | grep -E "$LAB(-n1\.|@n1@)" && say "down --node n1 left n1's volumes"
$L --json up "$T/lab.yaml" --node n1 >"$T/out" 2>&1 || say "up --node n1: $(cat "$T/out")"
$V dumpxml --inactive "$LAB-n1" | grep -q "volume='$LAB-n1.qcow2'" || say "up --node n1 is not on a fresh $LAB-n1.qcow2"

# down: no snapshot file or volume left
$L down "$LAB" >"$T/out" 2>&1 || say "down: $(cat "$T/out")"
[ -e "$T/state/snapshots/$LAB" ] && say "down left $(ls -a "$T/state/snapshots/$LAB")"
left=$($V vol-list "$POOL" 2>/dev/null | grep -c "$LAB")
[ "$left" = 0 ] || say "down left $left volumes: $($V vol-list "$POOL")"
exit $fail
