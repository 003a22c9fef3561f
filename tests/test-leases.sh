#!/bin/bash
# Concurrent `labctl up` runs against one state dir and one fixture host:
# 8 isolated VFs, each lab wanting 3; then 8 VFs in IOMMU groups of two,
# each lab wanting 4 (two whole groups). Two labs win each round; the others
# must exit 3 with nothing leased, and no IOMMU group or VF is ever held twice.
# Usage: test-leases.sh BIN
set -u
. "$(dirname "$0")/lib.sh"
LABS="l1 l2 l3 l4 l5 l6"
rounds() { # FIXTURE COUNT FREE NGROUPS: labs want COUNT VFs, a winner holds NGROUPS groups
	FIXTURE=$1 COUNT=$2 FREE=$3 NGROUPS=$4
	L="$BIN -c test:///default --templates $SRC/templates --catalog $SRC/tests/fixtures/catalog.yaml --sysfs $SRC/tests/out/sysfs/$FIXTURE --state-dir $T/state --cache-dir $T/cache"
	rm -rf "$T/state"
	for lab in $LABS; do
		cat >"$T/$lab.yaml" <<YAML
name: $lab
vf_pools: {cx5: {match: ["15b3:1018"]}}
nodes:
  n: {kind: kvm, vfs: [{pool: cx5, count: $COUNT}]}
YAML
	done
	for round in 1 2 3 4 5; do
		pids=""
		for lab in $LABS; do
			$L up "$T/$lab.yaml" >"$T/$lab.out" 2>"$T/$lab.err" &
			pids="$pids $!:$lab"
		done
		winners=""
		losers=0
		for pl in $pids; do
			pid=${pl%%:*} lab=${pl#*:}
			wait "$pid"
			rc=$?
			case $rc in
			0) winners="$winners $lab" ;;
			3)
				losers=$((losers + 1))
				grep -q "pool cx5: node n needs $COUNT VFs; $FREE free of 8 (" "$T/$lab.err" ||
					{ echo "FAIL $FIXTURE round $round: $lab: unexpected message: $(cat "$T/$lab.err")" >&2; fail=1; }
				;;
			*) echo "FAIL $FIXTURE round $round: $lab exited $rc: $(cat "$T/$lab.err")" >&2; fail=1 ;;
			esac
		done
		set -- $winners
		[ $# = 2 ] && [ $losers = 4 ] || { echo "FAIL $FIXTURE round $round: winners:$winners, $losers losers" >&2; fail=1; }
		leases=$(ls "$T/state/leases" | grep -c '\.lease$')
		[ "$leases" = $((2 * NGROUPS)) ] || { echo "FAIL $FIXTURE round $round: $leases lease files, want $((2 * NGROUPS))" >&2; fail=1; }
		# every lease belongs to a winner, NGROUPS each; no address appears twice
		for lab in $LABS; do
			n=$(grep -lx "lab=$lab" "$T"/state/leases/*.lease 2>/dev/null | wc -l)
			case " $winners " in
			*" $lab "*) want=$NGROUPS ;;
			*) want=0 ;;
			esac
			[ "$n" = "$want" ] || { echo "FAIL $FIXTURE round $round: lab $lab holds $n leases, want $want" >&2; fail=1; }
		done
		dups=$(sed -n 's/^addresses=//p' "$T"/state/leases/*.lease | tr ' ' '\n' | sort | uniq -d)
		[ -z "$dups" ] || { echo "FAIL $FIXTURE round $round: VFs leased twice: $dups" >&2; fail=1; }
		for lab in $winners; do
			$L -q down "$lab" || { echo "FAIL $FIXTURE round $round: down $lab" >&2; fail=1; }
		done
		left=$(ls "$T/state/leases" | grep -c '\.lease$')
		[ "$left" = 0 ] || { echo "FAIL $FIXTURE round $round: $left leases left after down" >&2; fail=1; }
	done
}
rounds isolated 3 2 3
rounds shared-pairs 4 0 2
[ $fail = 0 ] && echo "leases: 5 rounds of 6 concurrent ups on isolated VFs and 5 on VFs paired in IOMMU groups, no group leased twice"
exit $fail
