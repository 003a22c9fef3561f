#!/bin/bash
# Run every test suite given and count them: a suite passes (exit 0), is
# skipped (exit 77, having printed "SKIP: reason": it needs root or a daemon
# it cannot have here) or fails (anything else). The last line is
#   N passed, N failed, N skipped
# and the exit status is 1 when any suite failed. Under CI=true or
# LABCTL_NO_SKIP=1 a skip counts as a failure: CI must run everything.
#
# Usage: run-suite.sh BIN SUITE...
# A SUITE ending in .sh is a script run as `SUITE BIN`; any other is a test
# program (cmocka) run as it is. Each suite's output goes through as it comes.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 BIN SUITE..." >&2
	exit 2
fi
BIN=$1
shift
no_skip=0
if [ "${CI:-}" = true ] || [ "${LABCTL_NO_SKIP:-}" = 1 ]; then
	no_skip=1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0
failures=() skips=()
for suite in "$@"; do
	name=$(basename "$suite")
	name=${name%.sh}
	echo "=== $name"
	start=$(date +%s)
	case $suite in
	*.sh) "$suite" "$BIN" 2>&1 | tee "$log" ;;
	*) "$suite" 2>&1 | tee "$log" ;;
	esac
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		echo "PASS: $name (${secs}s)"
	elif [ "$rc" = 77 ]; then
		reason=$(sed -n 's/^SKIP: //p' "$log" | head -n 1)
		reason=${reason:-no reason given}
		if [ $no_skip = 1 ]; then
			failed=$((failed + 1))
			failures+=("$name (skipped: $reason; CI must skip nothing)")
			echo "FAIL: $name skipped ($reason), and under CI=true or LABCTL_NO_SKIP=1 a skip is a failure"
		else
			skipped=$((skipped + 1))
			skips+=("$name: $reason")
			echo "SKIP: $name: $reason"
		fi
	else
		failed=$((failed + 1))
		failures+=("$name (exit $rc)")
		echo "FAIL: $name (exit $rc, ${secs}s)"
	fi
done
echo "==="
for s in "${skips[@]+"${skips[@]}"}"; do echo "skipped: $s"; done
for f in "${failures[@]+"${failures[@]}"}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
