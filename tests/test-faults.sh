#!/bin/bash
# What breaks around labctl: an unwritable state dir (a read-only bind
# mount), a full one (a tiny tmpfs), libvirt unreachable, and libvirtd
# restarted in the middle of up. Each must give a clear error naming the
# object and its cause, exit 1, and leave a state down and up recover from.
# Usage: test-faults.sh BIN   (as root)
set -u
. "$(dirname "$0")/lib.sh"
need_root "mounts and qemu:///system"
chmod 755 "$T"
LAB=fault-$$
POOL=labctl-$LAB
mounted=""
cleanup() {
	for m in $mounted; do umount "$m" 2>/dev/null; done
	$BIN -c qemu:///system --state-dir "$T/state" -q down "$LAB" >/dev/null 2>&1
	virsh -q -c qemu:///system pool-destroy "$POOL" >/dev/null 2>&1
	virsh -q -c qemu:///system pool-undefine "$POOL" >/dev/null 2>&1
}
COMMON="--templates $SRC/templates --catalog $SRC/images/catalog.yaml --cache-dir $T/cache"
cat >"$T/lab.yaml" <<YAML
name: $LAB
pool: $POOL
defaults: {kind: kvm, image: tiny, memory: 256MiB, disk: 64MiB}
vf_pools: {cx5: {match: ["15b3:1018"]}}
nodes:
  n: {replicas: 6}
YAML
sed '/vf_pools/d' "$T/lab.yaml" >"$T/novf.yaml"
printf '  v: {vfs: [{pool: cx5, count: 1}]}\n' >>"$T/lab.yaml"
check() { # NAME WANT_RC MESSAGE COMMAND...
	local name=$1 want=$2 msg=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	[ "$rc" = "$want" ] || say "$name: exit $rc, want $want: $(cat "$T/err")"
	grep -qF -- "$msg" "$T/err" || say "$name: stderr lacks '$msg': $(cat "$T/err")"
}

# a read-only state dir: nothing leased, nothing defined
mkdir -p "$T/ro-src" "$T/ro"
mount --bind "$T/ro-src" "$T/ro" && mount -o remount,bind,ro "$T/ro" && mounted="$T/ro $mounted"
# (the leases come first: nothing is written for a lab before its VFs are leased)
check "read-only state dir" 1 "'$T/ro/leases': Read-only file system" \
	"$BIN" -c test:///default --sysfs "$SRC/tests/out/sysfs/isolated" --state-dir "$T/ro" $COMMON up "$T/lab.yaml"

# a full state dir: the journal cannot be written
mkdir -p "$T/full"
mount -t tmpfs -o size=64k tmpfs "$T/full" && mounted="$T/full $mounted"
head -c 60k /dev/zero >"$T/full/filler" 2>/dev/null
check "full state dir" 1 "No space left on device" \
	"$BIN" -c test:///default --sysfs "$SRC/tests/out/sysfs/isolated" --state-dir "$T/full" $COMMON up "$T/lab.yaml"
grep -qF "'$T/full/" "$T/err" || say "full state dir: the error names no path: $(cat "$T/err")"
[ -z "$(ls "$T/full/leases" 2>/dev/null | grep lease)" ] || say "full state dir: leases left behind"
[ -e "$T/full/labs/$LAB/journal" ] && say "full state dir: a journal left behind"

# render -o DIR on a full file system: an error, and none of the lab's files
check "render -o on a full disk" 1 "No space left on device" \
	"$BIN" -c test:///default --sysfs "$SRC/tests/out/sysfs/isolated" --state-dir "$T/state" $COMMON render -o "$T/full/out" "$T/lab.yaml"
[ -z "$(ls -A "$T/full/out" 2>/dev/null)" ] || say "render -o on a full disk left files: $(ls -A "$T/full/out")"

# templates missing: up stops before it leases or writes anything
check "missing templates" 1 "templates: cannot open directory '$T/none'" \
	"$BIN" -c test:///default --sysfs "$SRC/tests/out/sysfs/isolated" --state-dir "$T/tpl-state" \
	--templates "$T/none" --catalog "$SRC/images/catalog.yaml" --cache-dir "$T/cache" up "$T/lab.yaml"
[ -e "$T/tpl-state" ] && say "missing templates: up wrote to the state dir"

# libvirt unreachable
check "no libvirt" 1 "cannot connect to libvirt at 'qemu+unix:///system?socket=$T/none'" \
	"$BIN" -c "qemu+unix:///system?socket=$T/none" --state-dir "$T/state" $COMMON up "$T/novf.yaml"

# libvirtd restarted while up defines and starts nodes one at a time
"$SRC/tests/start-libvirt.sh" || skip "libvirtd does not answer on qemu:///system"
L="$BIN -c qemu:///system --state-dir $T/state $COMMON"
$L up -j 1 "$T/novf.yaml" >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 600); do [ "$(virsh -c qemu:///system list --all --name | grep -c "^$LAB-")" -ge 1 ] && break; sleep 0.1; done
pkill -x libvirtd
for _ in $(seq 100); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
"$SRC/tests/start-libvirt.sh"
wait $pid
rc=$?
# up makes 6 nodes one at a time and libvirtd went away after the first:
# up cannot have finished, and must say which node it lost
[ $rc = 1 ] || say "libvirtd restart: exit $rc, want 1: $(cat "$T/err")"
grep -q "node n-[0-9]: " "$T/err" || say "libvirtd restart: the error names no node: $(cat "$T/err")"
$L up "$T/novf.yaml" >"$T/out" 2>"$T/err" || say "up after the restart exited $?: $(cat "$T/err")"
[ "$(virsh -c qemu:///system list --name | grep -c "^$LAB-")" = 6 ] || say "up after the restart: not 6 running"
$L down "$LAB" >"$T/out" 2>"$T/err" || say "down after the restart: $(cat "$T/err")"
[ "$(virsh -c qemu:///system list --all --name | grep -c "^$LAB-")" = 0 ] || say "down left domains"
[ $fail = 0 ] && echo "faults: read-only and full state dir, missing templates, no libvirt, libvirtd restarted mid-up"
exit $fail
