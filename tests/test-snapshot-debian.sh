#!/bin/bash
# A debian node (cloud-init, ssh) through a snapshot on qemu:///system: a
# file written before `snapshot save` is still there after `revert`, one
# written after it is gone, ssh works again with the host key it had (the
# lab's known_hosts is unchanged), the node did not boot again, and its
# clock was set by the guest agent (debian's catalog entry says it has one):
# it is within 3 s of the host's, where without the agent it would be
# behind by the time between the save and the revert.
# Usage: test-snapshot-debian.sh BIN   (as root; needs images/debian: make image-debian)
set -u
. "$(dirname "$0")/lib.sh"
need_root "qemu:///system"
[ -s "$SRC/images/debian/SHA256SUMS" ] || { echo "snapshot-debian: images/debian is missing (make image-debian)" >&2; exit 1; }
need_qemu_system
LAB=snd-$$
POOL=labctl-$LAB
cleanup() {
	down_labs_and_pool "$POOL" "$LAB"
}
MGMT=$("$SRC/tests/free-subnet.py") || exit 1
cat >"$T/lab.yaml" <<YAML
name: $LAB
pool: $POOL
defaults: {image: debian, memory: 1GiB, vcpus: 1, disk: 4GiB}
networks:
  mgmt: {mode: nat, subnet: $MGMT}
nodes:
  d1: {kind: generic, nested: false, networks: [mgmt]}
YAML
$L up "$T/lab.yaml" --wait=900 >"$T/out" 2>&1 || say "up --wait: $(cat "$T/out")"
$L ssh "$LAB" d1 -- 'echo before >/var/tmp/before && sync' || say "ssh d1: write before"
KH=$T/state/labs/$LAB/known_hosts
kh0=$(md5sum <"$KH")
$L snapshot save "$LAB" s >"$T/out" 2>&1 || say "save: $(cat "$T/out")"
# each node runs on in a new QEMU: its NIC is a new tap, and the host's
# neighbour entry may have failed while it was saved, so ssh may need a moment
for _ in $(seq 30); do $L ssh "$LAB" d1 -- true 2>/dev/null && break; sleep 1; done
$L ssh "$LAB" d1 -- 'echo after >/var/tmp/after && sync' || say "ssh d1 after save: write after"
$L ssh "$LAB" d1 -- 'test -f /var/tmp/after' || say "the file written after save is not there"
virsh -c qemu:///system dumpxml "$LAB-d1" | grep -q "name='org.qemu.guest_agent.0'" ||
	say "d1 has no guest agent channel"
# the guest clock of the snapshot is 20 s behind by the time of the revert
sleep 20
t0=$(date +%s.%N)
$L snapshot revert "$LAB" s >"$T/out" 2>"$T/err" || say "revert: $(cat "$T/out" "$T/err")"
grep -q warning "$T/err" && say "revert warned: $(cat "$T/err")"
echo "revert of a debian node: $(echo "$(date +%s.%N) - $t0" | bc) s"
grep -q LABCTL-BOOT-OK "$T/state/labs/$LAB/d1.log" && say "d1 booted again: $(tail -c 300 "$T/state/labs/$LAB/d1.log")"
# the guest's network comes back with it: ssh may need a moment
for _ in $(seq 30); do $L ssh "$LAB" d1 -- true 2>/dev/null && break; sleep 1; done
guest=$($L ssh "$LAB" d1 -- 'date +%s' 2>"$T/err")
host=$(date +%s)
[ -n "$guest" ] && [ $((host - guest)) -le 3 ] && [ $((guest - host)) -le 3 ] ||
	say "after revert the guest clock is $guest, the host's $host: $(cat "$T/err")"
$L ssh "$LAB" d1 -- 'test -f /var/tmp/before' 2>"$T/err" || say "after revert: the file written before save is gone: $(cat "$T/err")"
$L ssh "$LAB" d1 -- 'test ! -e /var/tmp/after' 2>"$T/err" || say "after revert: the file written after save is still there: $(cat "$T/err")"
[ "$(md5sum <"$KH")" = "$kh0" ] || say "known_hosts changed: the node has a new host key"
$L down "$LAB" >"$T/out" 2>&1 || say "down: $(cat "$T/out")"
[ -e "$T/state/snapshots/$LAB" ] && say "down left snapshots/$LAB"
exit $fail
