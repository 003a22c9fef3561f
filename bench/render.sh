#!/bin/bash
# Validate and render a generated 200-node topology; print the CPU time
# (user + sys, mean of 10 runs) of each, and the ratio to a baseline measured in the same run: xmllint
# parsing the XML labctl produced (what merely reading that much XML costs).
# Usage: bench/render.sh [NODES]   (run from the source tree after make)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T" >&2
{
	echo "name: bench"
	echo "defaults: {kind: kvm, memory: 2GiB, vcpus: 2, image: tiny, nested: true}"
	echo "networks:"
	for i in $(seq 1 8); do echo "  net$i: {mode: nat, subnet: 10.$((100 + i)).0.0/24}"; done
	echo "nodes:"
	kinds=(kvm xen hyperv esxi xenserver generic)
	for i in $(seq 1 "$N"); do
		echo "  n$i:"
		echo "    kind: ${kinds[$((i % 6))]}"
		echo "    networks: [net$((i % 8 + 1)), net$(((i + 3) % 8 + 1))]"
		echo "    xml: [{append: /domain/devices, fragment: \"<watchdog model='i6300esb'/>\"}]"
	done
} >"$T/lab.yaml"
L="bin/labctl --templates templates --catalog images/catalog.yaml --state-dir $T/s --cache-dir $T/c"
cpu_ms() { # run a command N times, print its mean user+sys CPU time in ms
	local reps=$1
	shift
	local TIMEFORMAT='%3U %3S'
	local t
	t=$({ time (for _ in $(seq 1 "$reps"); do "$@" >/dev/null; done); } 2>&1)
	awk -v r="$reps" '{ printf "%.1f", ($1 + $2) * 1000 / r }' <<<"$t"
}
$L -c test:///default render "$T/lab.yaml" -o "$T/out"
v=$(cpu_ms 10 $L validate "$T/lab.yaml")
r=$(cpu_ms 10 $L -c test:///default render "$T/lab.yaml")
o=$(cpu_ms 10 $L -c test:///default render "$T/lab.yaml" -o "$T/out")
h=$(cpu_ms 10 $L --help)
b=$(cpu_ms 10 xmllint --noout "$T"/out/*.xml)
echo "validate ${N}-node topology: ${v} ms CPU"
echo "render ${N}-node topology to stdout: ${r} ms CPU"
echo "render ${N}-node topology -o DIR: ${o} ms CPU ($(ls "$T/out" | wc -l) files)"
echo "process start-up alone (labctl --help): ${h} ms CPU"
echo "baseline xmllint --noout of the rendered XML: ${b} ms CPU"
awk -v r="$r" -v b="$b" 'BEGIN { printf "render / xmllint ratio: %.2f\n", r / b }'
