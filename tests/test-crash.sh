#!/bin/bash
# Crash recovery on a real libvirtd: labctl up is killed with SIGKILL at
# varied moments (pulling the image into an empty cache, leasing, creating
# volumes, defining, starting paused, resuming); each time `down` must leave nothing of the
# lab (domains, networks, volumes, leases, journal) and a fresh `up` must
# complete. Prints which phase each kill hit.
# Usage: test-crash.sh BIN [TRIALS]   (as root)
set -u
TRIALS=${2:-20}
. "$(dirname "$0")/lib.sh"
need_qemu_system
LAB=crash-$$
POOL=labctl-$LAB
V="virsh -q -c qemu:///system"
cleanup() {
	down_labs_and_pool "$POOL" "$LAB"
}
SUBNET=$("$SRC/tests/free-subnet.py") || exit 1
cat >"$T/lab.yaml" <<YAML
name: $LAB
pool: $POOL
defaults: {kind: kvm, image: tiny, memory: 256MiB, disk: 64MiB}
networks: {mgmt: {mode: nat, subnet: $SUBNET}}
nodes:
  n: {replicas: 4, networks: [mgmt]}
YAML
trial() { say "trial $1: $2"; }
leftovers() {
	local d n v
	d=$($V list --all --name | grep -c "^$LAB-")
	n=$($V net-list --all --name | grep -c "^$LAB-")
	v=$($V vol-list "$POOL" 2>/dev/null | grep -c "$LAB-")
	echo "$d domains, $n networks, $v volumes, $(ls "$T/state/leases" 2>/dev/null | grep -c lease) leases, journal $([ -e "$T/state/labs/$LAB" ] && echo yes || echo no)"
}
phase() { # where the kill landed, from what exists
	if [ ! -e "$T/state/labs/$LAB/journal" ]; then
		if compgen -G "$T/cache/*.part" >/dev/null || [ ! -e "$T/cache/tiny.initrd" ]; then
			echo pulling
		else
			echo leasing
		fi
	elif [ "$($V vol-list "$POOL" 2>/dev/null | grep -c "$LAB-")" = 0 ]; then
		echo networks
	elif [ "$($V list --all --name | grep -c "^$LAB-")" = 0 ]; then
		echo volumes
	elif [ "$($V list --name | grep -c "^$LAB-")" -lt 4 ]; then
		echo defining-starting
	elif [ "$($V list --state-running --name | grep -c "^$LAB-")" -lt 4 ]; then
		echo started-paused
	else
		echo done
	fi
}
declare -A hits
# Where a kill lands, by trial: every fifth after a delay (5 ms to 2 s on a
# log scale; an up of this lab takes about 1 s with a warm cache), the others
# the moment a file shows a phase has begun: the image's first download begun (an
# empty cache), the first volume in the pool, the first domain libvirt has
# defined, the first QEMU started.
until_file() { # GLOB: true once a file matches, false if up ended first
	local n
	for ((n = 0; n < 1000000; n++)); do
		compgen -G "$1" >/dev/null && return 0
		kill -0 $pid 2>/dev/null || return 1
	done
	return 1
}
for i in $(seq 1 "$TRIALS"); do
	mode=$((i % 5))
	# every third trial, and every pull trial, starts with an empty cache
	[ $((i % 3)) = 1 ] || [ $mode = 1 ] && rm -rf "$T/cache"
	# every other trial makes the nodes one at a time, so that kills also land
	# between a volume and its domain and between one node and the next
	jobs=$((i % 2 ? 4 : 1))
	$L up -j $jobs "$T/lab.yaml" >"$T/up.out" 2>&1 &
	pid=$!
	case $mode in
	1) at="first download begun" && until_file "$T/cache/*.lock" ;;
	2) at="first volume" && until_file "$T/state/pools/$POOL/$LAB-*" ;;
	3) at="first domain defined" && until_file "/etc/libvirt/qemu/$LAB-*.xml" ;;
	4) at="first QEMU started" && until_file "/run/libvirt/qemu/$LAB-*.pid" ;;
	*)
		k=$((i / 5 - 1)) n=$((TRIALS / 5))
		at=$(awk -v k="$k" -v n="$n" 'BEGIN { printf "%.3fs", 0.005 * 400 ^ (k / (n > 1 ? n - 1 : 1)) }')
		sleep "${at%s}"
		;;
	esac
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	rc=$?
	# killed (137), or it had finished: then it must have succeeded
	[ $rc = 137 ] || [ $rc = 0 ] || trial "$i" "up exited $rc before the kill at ${at}: $(cat "$T/up.out")"
	p=$(phase)
	hits[$p]=$((${hits[$p]:-0} + 1))
	$L down "$LAB" >"$T/out" 2>&1 || trial "$i" "down after a kill at ${at} ($p) exited $?: $(cat "$T/out")"
	left=$(leftovers)
	[ "$left" = "0 domains, 0 networks, 0 volumes, 0 leases, journal no" ] || trial "$i" "after a kill at ${at} ($p), down left $left"
	$L up "$T/lab.yaml" >"$T/out" 2>&1 || trial "$i" "fresh up after the kill exited $?: $(cat "$T/out")"
	[ "$($V list --state-running --name | grep -c "^$LAB-")" = 4 ] || trial "$i" "fresh up: not 4 running domains"
	$L -q down "$LAB" >/dev/null 2>&1 || trial "$i" "down after the fresh up"
done
if [ "$TRIALS" -ge 20 ]; then
	# the phases the kills are aimed at must really have been hit
	for p in pulling volumes defining-starting; do
		[ "${hits[$p]:-0}" -ge 1 ] || trial all "no kill landed in phase $p"
	done
fi
summary=""
for p in "${!hits[@]}"; do summary="$summary $p=${hits[$p]}"; done
[ $fail = 0 ] && echo "crash: $TRIALS/$TRIALS kills recovered; kills landed in:$summary"
exit $fail
