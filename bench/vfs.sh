#!/bin/bash
# VF inventory + plan for a host with 64 PFs x 64 VFs (4,096 VFs) and a
# 256-node lab taking 16 VFs each; prints CPU times and the ratio to a
# baseline measured in the same run: cat(1) reading one attribute (vendor)
# of every PCI function of the same tree.
# Usage: bench/vfs.sh   (run from the source tree; builds what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/plain/bench/vfbench
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 tests/mksysfs.py big "$T/sys" 64 64
{
	echo "name: bench"
	echo "vf_pools: {all: {match: [\"*:*\"]}}"
	echo "nodes:"
	echo "  n: {replicas: 256, kind: kvm, vfs: [{pool: all, count: 16}]}"
} >"$T/lab.yaml"
out=$(build/plain/bench/vfbench "$T/sys" "$T/lab.yaml" 5)
echo "$out"
TIMEFORMAT='%3U %3S'
b=$({ time (cat "$T"/sys/bus/pci/devices/*/vendor >/dev/null); } 2>&1 | awk '{ printf "%.1f", ($1 + $2) * 1000 }')
echo "baseline: cat of every function's vendor file: $b ms CPU"
cpu=$(sed -n 's/^inventory + plan: .*(\([0-9.]*\) ms CPU.*$/\1/p' <<<"$out")
awk -v a="$cpu" -v b="$b" 'BEGIN { printf "inventory + plan CPU / baseline CPU ratio: %.2f\n", a / b }'
